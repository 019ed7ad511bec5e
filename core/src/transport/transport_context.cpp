// TransportContext::sslContext: one TLS client context per client, made on first use.
#include "transport/transport_context.hpp"

#include "sockt/errors.hpp"

#include <Poco/Net/SSLManager.h>

namespace sockt::detail {

Poco::Net::Context::Ptr TransportContext::sslContext() {
    std::lock_guard<std::mutex> lock(ssl_mutex_);
    if (!ssl_context_) {
        // Never paired with uninitializeSSL: other users of Poco in the process may still hold
        // SSL state.
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        // VERIFY_STRICT: Poco skips the hostname check for loopback names under VERIFY_RELAXED.
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = !ca_file_.has_value();
        if (ca_file_)
            params.caLocation = *ca_file_;
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
        try {
            auto context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
            context->enableExtendedCertificateVerification(true);
            context->disableProtocols(
                Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
            ssl_context_ = context;
        } catch (const Poco::Exception& e) {
            throw ConnectionError(
                {"TLS setup failed (CA file " + ca_file_.value_or("<system>") +
                     "): " + e.displayText() + "; check SOCKT_CA_FILE / ClientOptions::ca_file",
                 "", 0});
        }
    }
    return ssl_context_;
}

} // namespace sockt::detail
