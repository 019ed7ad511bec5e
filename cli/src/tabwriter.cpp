#include "tabwriter.hpp"

#include <vector>

namespace sockt::cli {

std::size_t runeCount(const std::string& s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 1;
        bool valid = len > 1 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k)
            valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        i += valid ? len : 1;
        ++n;
    }
    return n;
}

namespace {

using Line = std::vector<std::string>;

struct Formatter {
    const std::vector<Line>& lines;
    int padding;
    std::vector<std::size_t> widths;
    std::string out;

    void writeLines(std::size_t line0, std::size_t line1) {
        for (std::size_t i = line0; i < line1; ++i) {
            const Line& line = lines[i];
            for (std::size_t j = 0; j < line.size(); ++j) {
                out += line[j];
                if (j < widths.size()) {
                    std::size_t w = runeCount(line[j]);
                    if (widths[j] > w)
                        out.append(widths[j] - w, ' ');
                }
            }
            if (i + 1 < lines.size())
                out += '\n';
        }
    }

    // Go's (*Writer).format: a column block is a run of consecutive lines whose cell in this
    // column is tab-terminated (i.e. not the line's last cell).
    void format(std::size_t line0, std::size_t line1) {
        const std::size_t column = widths.size();
        for (std::size_t cur = line0; cur < line1; ++cur) {
            if (column + 1 >= lines[cur].size())
                continue;
            writeLines(line0, cur);
            line0 = cur;
            std::size_t width = 0;
            for (; cur < line1; ++cur) {
                if (column + 1 >= lines[cur].size())
                    break;
                width = std::max(width, runeCount(lines[cur][column]) + padding);
            }
            widths.push_back(width);
            format(line0, cur);
            widths.pop_back();
            line0 = cur;
            // Like Go, the loop's increment skips the line that ended the block: it has no cell
            // in this column, so it cannot start a new block.
        }
        writeLines(line0, line1);
    }
};

} // namespace

std::string tabwrite(const std::string& text, int padding) {
    std::vector<Line> lines;
    Line cur(1);
    for (char c : text) {
        if (c == '\t') {
            cur.emplace_back();
        } else if (c == '\n') {
            lines.push_back(std::move(cur));
            cur = Line(1);
        } else {
            cur.back() += c;
        }
    }
    lines.push_back(std::move(cur)); // text after the last newline (usually one empty cell)
    Formatter f{lines, padding, {}, {}};
    f.format(0, lines.size());
    return f.out;
}

} // namespace sockt::cli
