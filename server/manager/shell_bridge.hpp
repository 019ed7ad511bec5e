// The shell engineer's ShellService is optional at build time: server/CMakeLists.txt defines
// SOCKT_SERVER_HAVE_SHELL=1 once its implementation (shell/shell_service.cpp) is in the checkout.
#pragma once

#if defined(SOCKT_SERVER_HAVE_SHELL) && SOCKT_SERVER_HAVE_SHELL
#include "shell/shell_service.hpp"
#else
#undef SOCKT_SERVER_HAVE_SHELL
#define SOCKT_SERVER_HAVE_SHELL 0
#endif
