// Umbrella header: everything a C++ user of libsockt needs.
#pragma once

#include "sockt/async.hpp"
#include "sockt/client.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"
#include "sockt/options.hpp"
#include "sockt/protocol.hpp"
#include "sockt/sandbox.hpp"
#include "sockt/shell.hpp"
