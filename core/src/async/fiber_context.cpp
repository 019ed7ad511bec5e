// Fiber stacks and context switches (see fiber_context.hpp).
#include "async/fiber_context.hpp"

#include <cstdint>
#include <cxxabi.h>
#include <new>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SOCKT_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOCKT_FIBER_ASAN 1
#endif
#endif
#ifdef SOCKT_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace sockt::detail::fiber {
namespace {

// The layout libstdc++ and libc++abi share for __cxa_eh_globals (cxxabi.h keeps it opaque).
struct EhGlobals {
    void* caught;
    unsigned int uncaught;
};

EhGlobals& ehGlobals() {
    return *reinterpret_cast<EhGlobals*>(abi::__cxa_get_globals());
}

struct EntryArgs {
    void (*entry)(void*);
    void* arg;
};

// makecontext passes int arguments only: the pointer travels in two halves.
void trampoline(unsigned int high, unsigned int low) {
    auto bits = (static_cast<std::uintptr_t>(high) << 32) | static_cast<std::uintptr_t>(low);
    auto* args = reinterpret_cast<EntryArgs*>(bits);
    args->entry(args->arg);
}

} // namespace

Stack::Stack() {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    mapped_ = kSize + page;
    // MAP_NORESERVE: memory is committed page by page as the fiber touches it, so a fiber that
    // only parses a status answer costs a few pages, not the whole stack.
    void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    mapping_ = static_cast<char*>(p);
    if (::mprotect(mapping_, page, PROT_NONE) != 0) {
        ::munmap(mapping_, mapped_);
        throw std::bad_alloc();
    }
    usable_ = mapping_ + page;
}

Stack::~Stack() {
    if (mapping_)
        ::munmap(mapping_, mapped_);
}

void makeContext(Context& context, Stack& stack, void (*entry)(void*), void* arg) {
    // The entry and its argument live at the top of the fiber's own stack until it starts.
    auto* args = reinterpret_cast<EntryArgs*>(stack.base() + stack.size() - sizeof(EntryArgs));
    args->entry = entry;
    args->arg = arg;
    getcontext(&context.uc);
    context.uc.uc_stack.ss_sp = stack.base();
    context.uc.uc_stack.ss_size = stack.size() - sizeof(EntryArgs) - 64;
    context.uc.uc_link = nullptr; // fibers switch back explicitly, they never return
    context.stack_bottom = stack.base();
    context.stack_size = stack.size();
    context.eh_caught = nullptr;
    context.eh_uncaught = 0;
    const auto bits = reinterpret_cast<std::uintptr_t>(args);
    makecontext(&context.uc, reinterpret_cast<void (*)()>(trampoline), 2,
                static_cast<unsigned int>(bits >> 32), static_cast<unsigned int>(bits));
}

void switchContext(Context& from, Context& to, bool from_exits) {
    EhGlobals& eh = ehGlobals();
    from.eh_caught = eh.caught;
    from.eh_uncaught = eh.uncaught;
    eh.caught = to.eh_caught;
    eh.uncaught = to.eh_uncaught;
#ifdef SOCKT_FIBER_ASAN
    __sanitizer_start_switch_fiber(from_exits ? nullptr : &from.asan_fake_stack, to.stack_bottom,
                                   to.stack_size);
#else
    (void)from_exits;
#endif
    swapcontext(&from.uc, &to.uc);
#ifdef SOCKT_FIBER_ASAN
    __sanitizer_finish_switch_fiber(from.asan_fake_stack, nullptr, nullptr);
#endif
}

void enteredContext(Context& came_from) {
#ifdef SOCKT_FIBER_ASAN
    // The first switch into a fiber tells us the bounds of the stack it came from (the I/O
    // thread's own), which the fiber needs when it switches back.
    __sanitizer_finish_switch_fiber(nullptr, &came_from.stack_bottom, &came_from.stack_size);
#else
    (void)came_from;
#endif
}

} // namespace sockt::detail::fiber
