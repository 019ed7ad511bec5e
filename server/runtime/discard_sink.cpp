#include "runtime/discard_sink.hpp"

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <sys/epoll.h>
#include <thread>
#include <unistd.h>

namespace sockt::server::discard_sink {
namespace {

class Sink {
public:
    static Sink& instance() {
        // Leaked on purpose: detached thread, lives as long as the process.
        static auto* sink = new Sink();
        return *sink;
    }

    void adopt(int fd) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.fd = fd;
        if (epoll_ < 0 || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0)
            ::close(fd);
    }

private:
    Sink() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (epoll_ >= 0)
            std::thread([this] { loop(); }).detach();
    }

    void loop() {
        epoll_event events[64];
        char buf[65536];
        for (;;) {
            int n = ::epoll_wait(epoll_, events, 64, -1);
            for (int i = 0; i < n; ++i) {
                int fd = events[i].data.fd;
                ssize_t got;
                do {
                    got = ::read(fd, buf, sizeof(buf));
                } while (got > 0);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
                    ::close(fd);
                }
            }
        }
    }

    int epoll_;
};

} // namespace

void adopt(int fd) {
    if (fd >= 0)
        Sink::instance().adopt(fd);
}

} // namespace sockt::server::discard_sink
