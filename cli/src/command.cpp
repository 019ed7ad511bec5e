#include "command.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <sstream>

namespace sockt::cli {

namespace {

std::string trimTrailingWhitespace(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    return s;
}

std::string rpad(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

bool sortByName(const Flag* a, const Flag* b) {
    return a->name < b->name;
}

// Go's strconv.ParseInt(s, 0, 64): optional sign, base prefixes 0x/0o/0b/0, underscores only
// with a prefix. The texts are strconv's.
std::int64_t parseGoInt(const std::string& s) {
    const std::string syntax = "strconv.ParseInt: parsing " + goQuote(s) + ": invalid syntax";
    const std::string range = "strconv.ParseInt: parsing " + goQuote(s) + ": value out of range";
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    int base = 10;
    bool prefixed = false;
    if (i + 1 < s.size() && s[i] == '0') {
        char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 1])));
        if (p == 'x')
            base = 16, i += 2, prefixed = true;
        else if (p == 'o')
            base = 8, i += 2, prefixed = true;
        else if (p == 'b')
            base = 2, i += 2, prefixed = true;
        else
            base = 8, i += 1, prefixed = true;
    }
    if (i >= s.size())
        throw std::invalid_argument(syntax);
    unsigned long long value = 0;
    bool overflow = false;
    bool last_underscore = !prefixed;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_') {
            if (!prefixed || last_underscore)
                throw std::invalid_argument(syntax);
            last_underscore = true;
            continue;
        }
        last_underscore = false;
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z')
            d = c - 'A' + 10;
        else
            throw std::invalid_argument(syntax);
        if (d >= base)
            throw std::invalid_argument(syntax);
        if (value > (ULLONG_MAX - static_cast<unsigned>(d)) / static_cast<unsigned>(base))
            overflow = true;
        else
            value = value * base + d;
    }
    if (s.back() == '_')
        throw std::invalid_argument(syntax);
    const unsigned long long limit = negative ? 1ULL << 63 : (1ULL << 63) - 1;
    if (overflow || value > limit)
        throw std::invalid_argument(range);
    if (negative)
        return value == (1ULL << 63) ? INT64_MIN : -static_cast<std::int64_t>(value);
    return static_cast<std::int64_t>(value);
}

bool parseGoBool(const std::string& s) {
    static const char* truthy[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char* falsy[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (const char* t : truthy)
        if (s == t)
            return true;
    for (const char* f : falsy)
        if (s == f)
            return false;
    throw std::invalid_argument("strconv.ParseBool: parsing " + goQuote(s) + ": invalid syntax");
}

} // namespace

std::string goQuote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

// ---- Flag ----------------------------------------------------------------------------------

void Flag::reset() {
    changed = false;
    bool_value = false;
    int_value = 0;
    string_value.clear();
    if (type == FlagType::Bool)
        bool_value = default_text == "true";
    else if (type == FlagType::Int)
        int_value = default_text.empty() ? 0 : std::stoll(default_text);
    else
        string_value = default_text;
}

void Flag::set(const std::string& value) {
    switch (type) {
    case FlagType::Bool:
        bool_value = parseGoBool(value);
        break;
    case FlagType::Int:
        int_value = parseGoInt(value);
        break;
    case FlagType::String:
        string_value = value;
        break;
    }
    changed = true;
}

bool Flag::isZeroDefault() const {
    switch (type) {
    case FlagType::Bool:
        return default_text.empty() || default_text == "false";
    case FlagType::Int:
        return default_text.empty() || default_text == "0";
    case FlagType::String:
        return default_text.empty();
    }
    return true;
}

std::string Flag::varName() const {
    switch (type) {
    case FlagType::Bool:
        return "";
    case FlagType::Int:
        return "int";
    case FlagType::String:
        return "string";
    }
    return "";
}

const Flag& Invocation::flag(const std::string& name) const {
    const Flag* f = command->lookupFlag(name);
    if (!f)
        throw std::logic_error("no flag --" + name);
    return *f;
}

// ---- Command -------------------------------------------------------------------------------

Command::Command(std::string use, std::string short_text, std::string long_text)
    : short_desc(std::move(short_text)), long_desc(std::move(long_text)), use_(std::move(use)) {
    // Cobra's InitDefaultHelpFlag: every command has -h/--help.
    addFlag("help", 'h', FlagType::Bool, "help for " + name());
}

Command& Command::add(std::unique_ptr<Command> child) {
    child->parent_ = this;
    children_.push_back(std::move(child));
    return *children_.back();
}

Flag& Command::addFlag(const std::string& flag_name, char shorthand, FlagType type,
                       const std::string& usage, const std::string& default_text, bool persistent) {
    auto f = std::make_unique<Flag>();
    f->name = flag_name;
    f->shorthand = shorthand;
    f->type = type;
    f->usage = usage;
    f->default_text = default_text;
    if (default_text.empty())
        f->default_text = type == FlagType::Bool ? "false" : type == FlagType::Int ? "0" : "";
    f->persistent = persistent;
    f->reset();
    flags_.push_back(std::move(f));
    return *flags_.back();
}

std::string Command::name() const {
    auto sp = use_.find(' ');
    return sp == std::string::npos ? use_ : use_.substr(0, sp);
}

std::string Command::commandPath() const {
    return parent_ ? parent_->commandPath() + " " + name() : name();
}

std::string Command::useLine() const {
    std::string line = parent_ ? parent_->commandPath() + " " + use_ : use_;
    if (line.find("[flags]") == std::string::npos)
        line += " [flags]";
    return line;
}

bool Command::isAvailable() const {
    if (hidden)
        return false;
    if (parent_ && name() == "help")
        return false;
    return runnable() || hasAvailableSubCommands();
}

bool Command::hasAvailableSubCommands() const {
    for (const auto& c : children_)
        if (c->isAvailable())
            return true;
    return false;
}

Command* Command::root() {
    Command* c = this;
    while (c->parent_)
        c = c->parent_;
    return c;
}

std::vector<Command*> Command::sortedChildren() const {
    std::vector<Command*> out;
    for (const auto& c : children_)
        out.push_back(c.get());
    std::sort(out.begin(), out.end(),
              [](const Command* a, const Command* b) { return a->name() < b->name(); });
    return out;
}

Command* Command::findChild(const std::string& child_name) const {
    for (const auto& c : children_)
        if (c->name() == child_name)
            return c.get();
    return nullptr;
}

std::vector<Flag*> Command::localFlags() const {
    std::vector<Flag*> out;
    for (const auto& f : flags_)
        out.push_back(f.get());
    std::sort(out.begin(), out.end(), sortByName);
    return out;
}

std::vector<Flag*> Command::inheritedFlags() const {
    std::vector<Flag*> out;
    auto known = [&](const std::string& n) {
        for (const auto& f : flags_)
            if (f->name == n)
                return true;
        for (const Flag* f : out)
            if (f->name == n)
                return true;
        return false;
    };
    for (Command* p = parent_; p; p = p->parent_)
        for (const auto& f : p->flags_)
            if (f->persistent && !known(f->name))
                out.push_back(f.get());
    std::sort(out.begin(), out.end(), sortByName);
    return out;
}

std::vector<Flag*> Command::allFlags() const {
    std::vector<Flag*> out = localFlags();
    for (Flag* f : inheritedFlags())
        out.push_back(f);
    return out;
}

Flag* Command::lookupFlag(const std::string& flag_name) const {
    for (Flag* f : allFlags())
        if (f->name == flag_name)
            return f;
    return nullptr;
}

Flag* Command::lookupShorthand(char c) const {
    for (Flag* f : allFlags())
        if (f->shorthand == c)
            return f;
    return nullptr;
}

std::string Command::helpText() const {
    std::string text = trimTrailingWhitespace(long_desc.empty() ? short_desc : long_desc);
    std::string out = text.empty() ? "" : text + "\n\n";
    if (runnable() || !children_.empty())
        out += usageText();
    return out;
}

std::string Command::usageText() const {
    std::string s = "Usage:";
    if (runnable())
        s += "\n  " + useLine();
    const bool subs = hasAvailableSubCommands();
    if (subs)
        s += "\n  " + commandPath() + " [command]";
    if (subs) {
        s += "\n\nAvailable Commands:";
        std::size_t pad = 11; // Cobra's minNamePadding
        for (const auto& c : children_)
            pad = std::max(pad, c->name().size());
        for (Command* c : sortedChildren())
            if (c->isAvailable() || c->name() == "help")
                s += "\n  " + rpad(c->name(), pad) + " " + c->short_desc;
    }
    auto local = localFlags();
    if (!local.empty())
        s += "\n\nFlags:\n" + trimTrailingWhitespace(flagUsages(local));
    auto inherited = inheritedFlags();
    if (!inherited.empty())
        s += "\n\nGlobal Flags:\n" + trimTrailingWhitespace(flagUsages(inherited));
    if (subs)
        s += "\n\nUse \"" + commandPath() +
             " [command] --help\" for more information about a command.";
    if (!example.empty())
        s += "\n\nExamples:\n" + trimTrailingWhitespace(example);
    return s + "\n";
}

std::string flagUsages(const std::vector<Flag*>& flags) {
    std::vector<std::pair<std::string, std::string>> lines;
    std::size_t maxlen = 0;
    for (const Flag* f : flags) {
        std::string line = f->shorthand ? std::string("  -") + f->shorthand + ", --" + f->name
                                        : "      --" + f->name;
        std::string var = f->varName();
        if (!var.empty())
            line += " " + var;
        maxlen = std::max(maxlen, line.size());
        std::string usage = f->usage;
        if (!f->isZeroDefault()) {
            usage += f->type == FlagType::String ? " (default " + goQuote(f->default_text) + ")"
                                                 : " (default " + f->default_text + ")";
        }
        lines.emplace_back(line, usage);
    }
    std::string out;
    for (auto& [left, usage] : lines)
        out += rpad(left, maxlen) + "   " + usage + "\n";
    return out;
}

int levenshtein(const std::string& a_in, const std::string& b_in) {
    std::string a = a_in, b = b_in;
    for (auto& c : a)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : b)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<int>(i);
        for (std::size_t j = 1; j <= b.size(); ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

} // namespace sockt::cli
