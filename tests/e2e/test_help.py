"""Help, usage errors, version and completion (docs/protocol.md §10.2)."""
import subprocess

ROOT_HELP = """Create, manage, and interact with Sockt sandboxes from the command line.

Usage:
  sockt [command]

Available Commands:
  completion  Generate the autocompletion script for the specified shell
  exec        Execute a command in a sandbox
  exec-cancel Cancel a running execution
  files       File operations on a sandbox
  help        Help about any command
  local       Commands for the local development server
  sandbox     Manage sandboxes
  serve       Run a local Sockt-compatible server
  shell       Open an interactive shell to a sandbox
  tiers       List available sandbox tiers and pricing
  version     Print the CLI version

Flags:
  -h, --help           help for sockt
      --json           Print the result as one JSON object
      --token string   Sandbox token (overrides SOCKT_SANDBOX_TOKEN)
  -v, --version        version for sockt

Use "sockt [command] --help" for more information about a command.
"""

GLOBAL = """Global Flags:
      --json           Print the result as one JSON object
      --token string   Sandbox token (overrides SOCKT_SANDBOX_TOKEN)
"""

STATUS_USAGE = """Usage:
  sockt sandbox status [sandbox-id] [flags]

Flags:
  -h, --help   help for status

""" + GLOBAL


def test_root_help_three_ways(sockt):
    for args in ([], ["--help"], ["help"], ["-h"]):
        r = sockt(*args)
        assert r.code == 0, r
        assert r.out == ROOT_HELP
        assert r.err == ""


def test_leaf_help_is_cobra_layout_plus_examples(sockt):
    r = sockt("sandbox", "status", "--help")
    assert r.code == 0
    assert r.out.startswith("Get sandbox status\n\n" + STATUS_USAGE)
    assert r.out[len("Get sandbox status\n\n" + STATUS_USAGE):].startswith("\nExamples:\n")
    r = sockt("tiers", "-h")
    assert r.out.startswith("List available sandbox tiers and pricing\n\nUsage:\n  sockt tiers [flags]\n\n"
                            "Flags:\n  -h, --help   help for tiers\n\n" + GLOBAL)


def test_group_help_and_unknown_word_in_group(sockt):
    for args in (["sandbox"], ["sandbox", "bogus"], ["sandbox", "--help"]):
        r = sockt(*args)
        assert r.code == 0
        assert r.err == ""
        assert r.out == (
            "Manage sandboxes\n\nUsage:\n  sockt sandbox [command]\n\nAvailable Commands:\n"
            "  create      Create a new sandbox\n  pause       Pause a running sandbox\n"
            "  resume      Resume a paused sandbox\n  status      Get sandbox status\n"
            "  terminate   Terminate a sandbox\n\nFlags:\n  -h, --help   help for sandbox\n\n"
            + GLOBAL + "\nUse \"sockt sandbox [command] --help\" for more information about a command.\n")


def test_usage_error_prints_error_usage_and_blank_line_on_stderr(sockt):
    r = sockt("sandbox", "status")
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith("Error: accepts 1 arg(s), received 0\n" + STATUS_USAGE)
    assert r.err.endswith("\n\n")


def test_usage_error_messages(sockt):
    cases = [
        (["exec", "x"], "Error: requires at least 2 arg(s), only received 1\n"),
        (["files", "ls", "a", "b", "c"], "Error: accepts between 1 and 2 arg(s), received 3\n"),
        (["tiers", "--bogus"], "Error: unknown flag: --bogus\n"),
        (["sandbox", "create", "-x"], "Error: unknown shorthand flag: 'x' in -x\n"),
        (["exec", "--workdir"], "Error: flag needs an argument: --workdir\n"),
        (["exec", "--timeout", "abc", "id", "cmd"],
         "Error: invalid argument \"abc\" for \"--timeout\" flag: "),
    ]
    for args, prefix in cases:
        r = sockt(*args)
        assert r.code == 1, (args, r)
        assert r.out == ""
        assert r.err.startswith(prefix), (args, r.err)
        assert "\nUsage:\n" in r.err


def test_unknown_command_with_and_without_suggestion(sockt):
    r = sockt("fil")
    assert r.code == 1
    assert r.out == ""
    assert r.err == ("Error: unknown command \"fil\" for \"sockt\"\n\nDid you mean this?\n\tfiles\n\n"
                     "Run 'sockt --help' for usage.\n")
    r = sockt("frobnicate")
    assert r.code == 1
    assert r.err == "Error: unknown command \"frobnicate\" for \"sockt\"\nRun 'sockt --help' for usage.\n"


def test_version(sockt):
    r = sockt("--version")
    assert r.code == 0 and r.err == ""
    assert r.out.startswith("sockt version ") and r.out.endswith("\n")
    version = r.out[len("sockt version "):-1]
    assert sockt("-v").out == r.out
    assert sockt("version").out == version + "\n"
    assert sockt("version", "--json").out == '{"version":"%s"}\n' % version


def test_completion_scripts(sockt, tmp_path):
    for shell in ("bash", "zsh", "fish"):
        r = sockt("completion", shell)
        assert r.code == 0, r
        assert "sandbox" in r.out and "exec-cancel" in r.out
    script = tmp_path / "c.bash"
    script.write_text(sockt("completion", "bash").out)
    # The bash script parses and completes subcommands of a group.
    out = subprocess.run(
        ["bash", "-c", f"source {script}; COMP_WORDS=(sockt sandbox cr); COMP_CWORD=2; "
                       "_sockt_complete; echo ${COMPREPLY[@]}"],
        capture_output=True, text=True, check=True).stdout
    assert out.strip() == "create"
    r = sockt("completion")
    assert r.code == 0 and "bash" in r.out and "fish" in r.out and "zsh" in r.out
