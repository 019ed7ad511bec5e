// Lets a libsockt that travels with its own OpenSSL (the wheel and the npm package vendor Debian's
// libssl) find the CA certificates of the distribution it lands on. That OpenSSL looks only where
// Debian keeps them (/usr/lib/ssl); Fedora, Alpine, openSUSE and others keep them elsewhere. When
// the library's own defaults hold nothing and the user chose nothing (SSL_CERT_FILE and
// SSL_CERT_DIR, which OpenSSL honours itself), point SSL_CERT_FILE at the first bundle that
// exists among the usual locations, before any TLS context is created. Linked into every program
// that links libsockt (core/CMakeLists.txt keeps this object in static links).
#include <openssl/x509.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>

extern "C" {
// Referenced by the linker flag --undefined in core/CMakeLists.txt, so static links keep this file.
extern const int sockt_ca_bundle_anchor;
const int sockt_ca_bundle_anchor = 0;
}

namespace {

bool nonEmptyFile(const char* path) {
    struct stat st {};
    return path && ::stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// A hashed certificate directory counts when it has at least one entry besides . and ..
bool nonEmptyDir(const char* path) {
    if (!path)
        return false;
    DIR* dir = ::opendir(path);
    if (!dir)
        return false;
    bool found = false;
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.') {
            found = true;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

// Bundle files, most common first: Debian/Ubuntu/Arch/Gentoo, Fedora/RHEL, RHEL 7+ extracted
// trust, openSUSE, Alpine/macOS/BSDs, FreeBSD ports, OpenELEC.
constexpr const char* kBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
    "/etc/pki/tls/cacert.pem",
};

__attribute__((constructor)) void probeCaBundle() {
    if (std::getenv("SSL_CERT_FILE") || std::getenv("SSL_CERT_DIR"))
        return;
    if (nonEmptyFile(X509_get_default_cert_file()) || nonEmptyDir(X509_get_default_cert_dir()))
        return;
    for (const char* bundle : kBundles) {
        if (nonEmptyFile(bundle)) {
            ::setenv("SSL_CERT_FILE", bundle, 0);
            return;
        }
    }
}

} // namespace
