// Host process-table helpers (/proc) for freezing and tearing down a sandbox's process tree.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sockt::server::process_tree {

/// Host pids strictly below `root` (zombies excluded).
std::vector<int> descendants(int root);
/// Direct and indirect children of `root` whose argv[1] is `arg1`.
int findDescendantWithArg(int root, const std::string& arg1);
/// Process state letter from /proc/<pid>/stat ('R', 'S', 'T', 'Z', …), or 0 when gone.
char state(int pid);
/// Sends SIGSTOP to every process below `root` until a pass finds none new, then waits until
/// they are all stopped.
void stopAll(int root);
void continueAll(int root);
/// SIGKILL to everything below `root` until none is left (or `timeout`); true if none is left.
bool killAll(int root, std::chrono::milliseconds timeout);

} // namespace sockt::server::process_tree
