package io.gpumigrate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code gpumigrate run [--agent HOST:PORT] -- PROGRAM [ARGS]}: runs an unmodified CUDA program through an agent. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a program with gpumigrate's libcuda.so.1: its CUDA calls execute on a session"
                + " worker of the agent. Exits with the program's exit status."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    AgentOptions agent;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM [ARGS]", description = "The program and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws CliException {
        Distribution distribution = Distribution.locate();
        agent.token();
        return ProgramRunner.run(command, distribution.requireClientLibrary(), agent.address(), agent.tokenFile);
    }
}
