// Links the installed libsockt and exercises it without a network: version, option resolution,
// redaction, base64 and typed errors.
#include <iostream>
#include <sockt/sockt.hpp>

int main() {
    sockt::ClientOptions options;
    options.base_url = "http://127.0.0.1:9/";
    options.api_key = "sockt_live_0f8e2b6a-3c4d-4e5f-9a1b-7c2d3e4f5a6b";
    options.ignore_env = true;
    sockt::ComputeClient client(options);
    std::cout << "sockt-cpp/" << sockt::version() << " " << client.describe() << "\n";
    const std::string bytes("bytes\0in", 8);
    if (sockt::base64Decode(sockt::base64Encode(bytes)) != bytes)
        return 1;
    try {
        client.sandbox("x").exec("");
        return 1;
    } catch (const sockt::InvalidArgumentError& e) {
        std::cout << "validation: " << e.what() << "\n";
    }
    return 0;
}
