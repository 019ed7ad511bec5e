#include "files/dir_sync.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace sockt::server {
namespace {

// One directory's fsyncs: generations count those started and the latest one finished.
struct DirState {
    std::uint64_t started = 0;
    std::uint64_t done = 0;
    int error = 0; // errno of fsync number `done`
    bool running = false;
    int users = 0; // callers inside syncDirectory for it: the entry goes with the last one
    std::condition_variable finished;
};

std::mutex g_mutex;
// std::map: a node stays where it is while others come and go, so a waiter's reference holds.
std::map<std::pair<dev_t, ino_t>, DirState> g_dirs;

} // namespace

int syncDirectory(int dir_fd) {
    struct stat st;
    if (::fstat(dir_fd, &st) != 0)
        return errno;
    std::unique_lock<std::mutex> lock(g_mutex);
    auto entry = g_dirs.try_emplace({st.st_dev, st.st_ino}).first;
    DirState& dir = entry->second;
    ++dir.users;
    // An fsync running now may have started before the caller's rename: only a later one counts.
    const std::uint64_t need = dir.started + 1;
    while (dir.done < need) {
        if (dir.running) {
            dir.finished.wait(lock);
            continue;
        }
        dir.running = true;
        const std::uint64_t mine = ++dir.started;
        lock.unlock();
        const int error = ::fsync(dir_fd) == 0 ? 0 : errno;
        lock.lock();
        dir.running = false;
        dir.done = mine;
        dir.error = error;
        dir.finished.notify_all();
    }
    const int error = dir.error; // of fsync `done`, which started after the caller arrived
    if (--dir.users == 0)
        g_dirs.erase(entry);
    return error;
}

} // namespace sockt::server
