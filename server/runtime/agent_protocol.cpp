#include "runtime/agent_protocol.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace sockt::server::agent_wire {
namespace {

// Below the default SOCK_SEQPACKET send buffer, so one packet never blocks on its own size.
constexpr std::size_t kPacketPayload = 48 * 1024;
constexpr std::size_t kMaxMessage = 64 * 1024 * 1024;
constexpr int kMaxFds = 8;

void putU32(std::string& out, std::uint32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
}

bool getU32(const std::string& in, std::size_t& pos, std::uint32_t& v) {
    if (pos + 4 > in.size())
        return false;
    std::memcpy(&v, in.data() + pos, 4);
    pos += 4;
    return true;
}

bool sendPacket(int sock, const char* data, std::size_t len, bool more,
                const std::vector<int>* fds) {
    char flag = more ? 1 : 0;
    iovec iov[2] = {{&flag, 1}, {const_cast<char*>(data), len}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    if (fds && !fds->empty()) {
        std::memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds->size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds->size());
        std::memcpy(CMSG_DATA(c), fds->data(), sizeof(int) * fds->size());
    }
    for (;;) {
        ssize_t n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n >= 0)
            return true;
        if (errno != EINTR)
            return false;
    }
}

} // namespace

bool send(int sock, const Message& message) {
    if (message.fds.size() > static_cast<std::size_t>(kMaxFds))
        return false;
    std::string body;
    putU32(body, static_cast<std::uint32_t>(message.type));
    putU32(body, static_cast<std::uint32_t>(message.fields.size()));
    for (const auto& f : message.fields) {
        putU32(body, static_cast<std::uint32_t>(f.size()));
        body += f;
    }
    std::size_t pos = 0;
    bool first = true;
    do {
        std::size_t len = std::min(kPacketPayload, body.size() - pos);
        bool more = pos + len < body.size();
        if (!sendPacket(sock, body.data() + pos, len, more, first ? &message.fds : nullptr))
            return false;
        first = false;
        pos += len;
    } while (pos < body.size());
    return true;
}

static bool parseBody(const std::string& body, Message& message) {
    std::size_t pos = 0;
    std::uint32_t type = 0, count = 0;
    if (!getU32(body, pos, type) || !getU32(body, pos, count))
        return false;
    message.type = static_cast<Type>(type);
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint32_t len = 0;
        if (!getU32(body, pos, len) || pos + len > body.size())
            return false;
        message.fields.emplace_back(body, pos, len);
        pos += len;
    }
    return true;
}

bool receive(int sock, Message& message) {
    message = Message{};
    std::string body;
    std::vector<char> buf(kPacketPayload + 1);
    bool complete = false;
    while (!complete) {
        iovec iov{buf.data(), buf.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // EOF (every packet carries at least its flag byte) or error
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                message.fds.push_back(fd);
            }
        }
        body.append(buf.data() + 1, static_cast<std::size_t>(n) - 1);
        if (body.size() > kMaxMessage)
            break;
        complete = buf[0] == 0;
    }
    if (complete && parseBody(body, message))
        return true;
    for (int fd : message.fds)
        ::close(fd);
    message = Message{};
    return false;
}

} // namespace sockt::server::agent_wire
