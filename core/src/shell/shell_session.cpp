// ShellSession (public API, sockt/shell.hpp) and Sandbox::shell(): thin forwards to ShellImpl.
#include "shell/shell_impl.hpp"
#include "sockt/sandbox.hpp"
#include "sockt/shell.hpp"

namespace sockt {

ShellSession::ShellSession(std::shared_ptr<detail::ClientCore> core, std::string sandbox_id)
    : impl_(std::make_shared<detail::ShellImpl>(
          std::move(core), std::make_shared<detail::SandboxState>(std::move(sandbox_id)))) {}

void ShellSession::connect(const CancelToken& cancel) {
    impl_->connect(cancel);
}
void ShellSession::close() {
    impl_->close();
}
bool ShellSession::connected() const {
    return impl_->connected();
}
void ShellSession::send(const std::string& text) {
    impl_->sendInput(text);
}
void ShellSession::sendLine(const std::string& text) {
    impl_->sendInput(text + "\n");
}
void ShellSession::resize(int cols, int rows) {
    impl_->resize(cols, rows);
}

std::optional<ShellFrame> ShellSession::recv(Duration timeout, const CancelToken& cancel) {
    return impl_->recv(timeout, cancel);
}

std::uint64_t ShellSession::on(const std::string& type, Listener listener) {
    return impl_->on(type, std::move(listener));
}

bool ShellSession::off(const std::string& type, std::uint64_t listener_id) {
    return impl_->off(type, listener_id);
}

std::optional<int> ShellSession::exitCode() const {
    return impl_->exitCode();
}
int ShellSession::closeCode() const {
    return impl_->closeCode();
}
std::string ShellSession::describe() const {
    return impl_->describe();
}

ShellSession Sandbox::shell() const {
    ShellSession session(core_, state_->id);
    // Share the sandbox's state: its own token (lightning create) is the shell's credential.
    session.impl_->setState(state_);
    return session;
}

} // namespace sockt
