// libsockt quick start: create a sandbox, wait for it, run a command, write and read a file,
// terminate. Reads SOCKT_API_URL and SOCKT_API_KEY (e.g. from `sockt serve`'s first line).
//
//   eval "$(sockt serve --port 0 --data-dir /tmp/sockt-demo | head -n1)" &   # or a real key
//   ./sockt_quickstart
#include <iostream>
#include <sockt/sockt.hpp>

int main() {
    try {
        sockt::ComputeClient client; // SOCKT_API_KEY / SOCKT_API_URL from the environment
        std::cout << "client: " << client.describe() << "\n";

        sockt::Sandbox sandbox = client.createSandbox({/*tier=*/"nano"});
        std::cout << "created " << sandbox.describe() << "\n";
        sandbox.waitUntilRunning();

        sockt::ExecResult result = sandbox.execSync("echo hello from $(whoami) && uname -s");
        std::cout << "exit " << result.exit_code.value_or(-1) << ": " << result.stdoutText();

        sandbox.writeFile("hello.py", "print('Hello from Sockt!')\n");
        std::cout << "hello.py: " << sandbox.readFile("hello.py");
        for (const auto& entry : sandbox.listFiles())
            std::cout << (entry.is_dir ? "d " : "- ") << entry.size << "\t" << entry.name << "\n";

        sockt::TerminateResult done = sandbox.terminate();
        std::cout << "terminated: " << done.status << "\n";
        client.close();
        return 0;
    } catch (const sockt::SocktError& e) {
        std::cerr << "sockt error: " << e.what() << "\n";
        return 1;
    }
}
