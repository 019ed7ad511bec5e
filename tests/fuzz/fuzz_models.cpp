// Every lenient model reader (core/src/models.cpp over core/src/json/lenient.*) and the error
// envelope reader (core/src/http_errors.cpp) on arbitrary answers: whatever the JSON holds, a
// reader returns a model (docs/protocol.md §12 rules 1-4) and never trips a sanitizer.
#include "http_errors.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>

namespace sockt {
// The one member of client.cpp the error reader needs; client.cpp itself would bring the whole
// transport into the target.
const std::string& HttpResponse::header(const std::string& lower_name) const {
    static const std::string kEmpty;
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
}
} // namespace sockt

namespace {

using sockt::Json;

void readEveryModel(const Json& j) {
    sockt::Tier::fromJson(j);
    sockt::PendingInvoice::fromJson(j);
    sockt::PendingInvoice::fromJsonOpt(j);
    sockt::CreatedSandbox::fromJson(j);
    sockt::Execution::fromJson(j);
    sockt::FileEntry::fromJson(j);
    sockt::FileListing::fromJson(j);
    sockt::WriteResult::fromJson(j);
    sockt::ReadResult::fromJson(j);
    sockt::TerminateResult::fromJson(j);
    sockt::ShellFrame::fromJson(j);
    sockt::SandboxStatus status = sockt::SandboxStatus::fromJson(j);
    if (status.raw != j)
        std::abort();
    sockt::ExecResult result = sockt::ExecResult::fromJson(j);
    (void)result.stdoutText();
    (void)result.stderrText();
    (void)result.finished();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    sockt::HttpResponse response;
    response.status = in.ConsumeIntegralInRange(100, 599);
    response.headers["retry-after"] = in.ConsumeRandomLengthString(64);
    response.headers["x-request-id"] = in.ConsumeRandomLengthString(32);
    response.body = in.ConsumeRemainingBytesAsString();

    const Json j = Json::parse(response.body, nullptr, false);
    if (!j.is_discarded()) {
        readEveryModel(j);
        // Lists (tiers, file entries) and nested objects go through the same readers.
        if (j.is_structured())
            for (const auto& element : j)
                readEveryModel(element);
    }

    const auto retry = sockt::detail::parseRetryAfter(response.headers["retry-after"]);
    if (retry && (!std::isfinite(*retry) || *retry < 0))
        std::abort();
    (void)sockt::detail::slugOf(response);
    (void)sockt::detail::isPodStarting(response);
    try {
        sockt::detail::throwForResponse(response);
    } catch (const sockt::SocktError& e) {
        if (e.message().empty() || e.statusCode() != response.status)
            std::abort();
    }
    return 0;
}
