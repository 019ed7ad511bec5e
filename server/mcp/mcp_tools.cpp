// Tool names, descriptions and input schemas of docs/protocol.md §9.3.
#include "mcp/mcp_handler.hpp"
#include "sockt/protocol.hpp"

namespace sockt::server {
namespace {

OJson str(const char* description) {
    return OJson{{"type", "string"}, {"description", description}};
}

OJson encoding() {
    return OJson{{"type", "string"},
                 {"enum", {"utf8", "base64"}},
                 {"default", "utf8"},
                 {"description", "Content encoding"}};
}

OJson tool(const char* name, const char* description, OJson properties,
           std::vector<std::string> required) {
    OJson schema;
    schema["type"] = "object";
    schema["properties"] = properties.is_null() ? OJson::object() : std::move(properties);
    if (!required.empty())
        schema["required"] = required;
    OJson t;
    t["name"] = name;
    t["description"] = description;
    t["inputSchema"] = std::move(schema);
    return t;
}

OJson sandboxProps() {
    OJson p;
    p["sandbox_id"] = str("Sandbox ID");
    return p;
}

OJson withToken(OJson p) {
    p["sandbox_token"] = str("Sandbox token (Lightning)");
    return p;
}

OJson buildTools() {
    OJson tiers = OJson::array();
    for (const auto& t : protocol::kTiers)
        tiers.push_back(std::string(t.name));
    OJson tools = OJson::array();
    tools.push_back(
        tool("sandbox_list_tiers", "List sandbox tiers and prices.", OJson::object(), {}));
    {
        OJson p;
        p["tier"] = OJson{{"type", "string"},
                          {"enum", tiers},
                          {"default", "nano"},
                          {"description", "Sandbox tier"}};
        p["billing_method"] = OJson{{"type", "string"},
                                    {"enum", {"credits", "lightning"}},
                                    {"default", "credits"},
                                    {"description", "Billing method"}};
        p["prepaid_sats"] =
            OJson{{"type", "integer"}, {"minimum", 1}, {"description", "Prepaid sats (Lightning)"}};
        p["initial_credits_cents"] =
            OJson{{"type", "integer"},
                  {"minimum", 0},
                  {"description", "Credits in cents to reserve (credits)"}};
        p["label"] = str("Sandbox label");
        tools.push_back(
            tool("sandbox_create",
                 "Provision a new sandbox on the specified tier. Returns the sandbox ID "
                 "and, for Lightning billing, the sandbox token and invoice.",
                 p, {}));
    }
    tools.push_back(tool("sandbox_status",
                         "Get current sandbox state: running, paused, terminated, warning levels.",
                         withToken(sandboxProps()), {"sandbox_id"}));
    {
        OJson p = sandboxProps();
        p["command"] = str("Shell command, run with /bin/bash -lc");
        p["working_dir"] = str("Working directory, relative to /home/sandbox");
        p["timeout_ms"] = OJson{{"type", "integer"},
                                {"minimum", 0},
                                {"default", 30000},
                                {"description", "0 = no timeout"}};
        p["wait_ms"] = OJson{{"type", "integer"},
                             {"minimum", 0},
                             {"maximum", kMaxExecWaitMs},
                             {"default", kDefaultExecWaitMs},
                             {"description", "How long to wait for the command; 0 = return the "
                                             "execution ID at once"}};
        tools.push_back(tool("sandbox_exec",
                             "Run a shell command inside a sandbox. Returns stdout, stderr and "
                             "exit code (or, if it is still running when the wait ends, the "
                             "execution ID to poll).",
                             withToken(p), {"sandbox_id", "command"}));
    }
    {
        OJson p;
        p["execution_id"] = str("Execution ID");
        p["sandbox_token"] = str("Sandbox token (Lightning)");
        p["wait_ms"] = OJson{{"type", "integer"},
                             {"minimum", 0},
                             {"maximum", 30000},
                             {"description", "Long-poll: wait up to this long for new output"}};
        tools.push_back(
            tool("sandbox_exec_result",
                 "Get buffered stdout, stderr and lifecycle state of a running execution.", p,
                 {"execution_id"}));
    }
    {
        OJson p;
        p["execution_id"] = str("Execution ID");
        p["sandbox_token"] = str("Sandbox token (Lightning)");
        tools.push_back(
            tool("sandbox_exec_cancel", "Cancel a running shell command.", p, {"execution_id"}));
    }
    {
        OJson p = sandboxProps();
        p["path"] = str("File path, relative to /home/sandbox or absolute inside it");
        p["content"] = str("File content (text, or base64 with encoding base64)");
        p["encoding"] = encoding();
        p["create_dirs"] = OJson{{"type", "boolean"},
                                 {"default", true},
                                 {"description", "Create missing parent directories"}};
        tools.push_back(tool("sandbox_write_file",
                             "Write a file into the sandbox filesystem at a given path.",
                             withToken(p), {"sandbox_id", "path", "content"}));
    }
    {
        OJson p = sandboxProps();
        p["path"] = str("File path, relative to /home/sandbox or absolute inside it");
        p["encoding"] = encoding();
        p["max_bytes"] = OJson{
            {"type", "integer"}, {"minimum", 1}, {"description", "Read at most this many bytes"}};
        tools.push_back(tool("sandbox_read_file",
                             "Read the contents of a file from the sandbox filesystem.",
                             withToken(p), {"sandbox_id", "path"}));
    }
    {
        OJson p = sandboxProps();
        p["path"] = str("Directory to list (default /home/sandbox)");
        p["recursive"] = OJson{{"type", "boolean"}, {"description", "List recursively"}};
        p["max_depth"] = OJson{{"type", "integer"},
                               {"minimum", 0},
                               {"description", "Levels below the directory (0 = unlimited)"}};
        tools.push_back(tool("sandbox_list_files",
                             "List files and directories at a path inside the sandbox.",
                             withToken(p), {"sandbox_id"}));
    }
    tools.push_back(tool("sandbox_pause", "Pause billing and execution for an idle sandbox.",
                         withToken(sandboxProps()), {"sandbox_id"}));
    tools.push_back(tool("sandbox_resume", "Resume a paused sandbox.", withToken(sandboxProps()),
                         {"sandbox_id"}));
    {
        OJson p = sandboxProps();
        p["lightning_address"] = str("Lightning address (name@domain) for the refund");
        tools.push_back(tool("sandbox_terminate",
                             "Destroy the sandbox, free orchestrator capacity, and stop billing.",
                             withToken(p), {"sandbox_id"}));
    }
    {
        OJson p = sandboxProps();
        p["command"] = str("Shell command, run with /bin/bash -lc");
        p["working_dir"] = str("Working directory, relative to /home/sandbox");
        p["timeout_ms"] = OJson{{"type", "integer"},
                                {"minimum", 1},
                                {"maximum", 300000},
                                {"default", 30000},
                                {"description", "Timeout of the command"}};
        tools.push_back(tool("sandbox_run",
                             "Run a command and wait for it; returns stdout, stderr and exit code.",
                             withToken(p), {"sandbox_id", "command"}));
    }
    {
        OJson p = sandboxProps();
        p["cents"] = OJson{{"type", "integer"},
                           {"minimum", 1},
                           {"description", "Credits sandbox: cents to add to its reservation, "
                                           "from the API key's balance"}};
        p["sats"] = OJson{{"type", "integer"},
                          {"minimum", 1},
                          {"description", "Lightning sandbox: sats of a new invoice to pay"}};
        tools.push_back(tool("sandbox_extend_balance", "Add more sats or credits to a running sandbox.",
                             withToken(p), {"sandbox_id"}));
    }
    return tools;
}

} // namespace

OJson mcpToolList() {
    static const OJson tools = buildTools();
    return tools;
}

bool isMcpTool(const std::string& name) {
    for (const auto& t : mcpToolList())
        if (t["name"] == name)
            return true;
    return false;
}

} // namespace sockt::server
