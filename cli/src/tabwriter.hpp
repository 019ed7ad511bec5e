// Go's text/tabwriter with minwidth 0, tabwidth 0, padding 2, pad char ' ', no flags — the layout
// of every table the official CLI prints (docs/protocol.md §10.3).
#pragma once

#include <string>

namespace sockt::cli {

/// Lays out `text` (lines separated by '\n', cells terminated by '\t'). Widths are counted in
/// code points; the last cell of a line is written as is.
std::string tabwrite(const std::string& text, int padding = 2);

/// Number of UTF-8 code points (Go's utf8.RuneCount: every invalid byte counts as one).
std::size_t runeCount(const std::string& s);

} // namespace sockt::cli
