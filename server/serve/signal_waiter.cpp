#include "serve/signal_waiter.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace sockt::server {
namespace {

int g_pipe[2] = {-1, -1};
struct sigaction g_old_int, g_old_term, g_old_pipe;

void onSignal(int sig) {
    const int saved = errno;
    const unsigned char b = static_cast<unsigned char>(sig);
    if (g_pipe[1] >= 0)
        (void)!::write(g_pipe[1], &b, 1);
    errno = saved;
}

// A handler rather than SIG_IGN: an ignored SIGPIPE would be inherited through exec by sandbox
// commands (`yes | head` would then never end), a handler is reset by exec.
void onSigpipe(int) {}

} // namespace

SignalWaiter::SignalWaiter() {
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, &g_old_int);
    ::sigaction(SIGTERM, &sa, &g_old_term);
    struct sigaction sp {};
    sp.sa_handler = onSigpipe;
    sigemptyset(&sp.sa_mask);
    sp.sa_flags = SA_RESTART;
    ::sigaction(SIGPIPE, &sp, &g_old_pipe);
}

SignalWaiter::~SignalWaiter() {
    ::sigaction(SIGINT, &g_old_int, nullptr);
    ::sigaction(SIGTERM, &g_old_term, nullptr);
    ::sigaction(SIGPIPE, &g_old_pipe, nullptr);
    for (int& fd : g_pipe) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

int SignalWaiter::wait() {
    for (;;) {
        struct pollfd p {
            g_pipe[0], POLLIN, 0
        };
        int r = ::poll(&p, 1, -1);
        if (r < 0 && errno == EINTR)
            continue;
        unsigned char b = 0;
        if (::read(g_pipe[0], &b, 1) == 1)
            return b;
        if (r < 0)
            return SIGTERM;
    }
}

} // namespace sockt::server
