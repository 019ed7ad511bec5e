// Group commit of directory fsyncs for files/write (docs/protocol.md §5.1): the writers that
// renamed a file into the same directory at about the same time share one fsync(2) of it.
#pragma once

namespace sockt::server {

/// Returns once an fsync of the directory `dir_fd` refers to has completed that *started after*
/// this call was made, so that every rename the caller made in it before the call is on disk.
/// At most one such fsync runs per directory (identified by device and inode, whichever
/// descriptor of it a caller holds); callers arriving while one runs wait for it, and then the
/// first of them starts the next one for all who arrived meanwhile. Returns 0, or the errno of
/// the fsync that was to cover the caller (only the callers it covered see that error).
int syncDirectory(int dir_fd);

} // namespace sockt::server
