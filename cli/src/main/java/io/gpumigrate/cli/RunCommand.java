package io.gpumigrate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate run [--agent HOST:PORT] [--attach SESSION] -- PROGRAM [ARGS]}: runs an
 * unmodified CUDA program through an agent, in a new session or in an existing one.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a program with gpumigrate's libcuda.so.1: its CUDA calls execute on a session"
                + " worker of the agent. Exits with the program's exit status."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions agent;

    @Option(names = "--attach", paramLabel = "SESSION", description = "Join this existing session (one restored"
            + " with gpumigrate restore, as gpumigrate ps shows it) instead of opening a new one.")
    String attach;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM [ARGS]", description = "The program and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws CliException {
        Distribution distribution = Distribution.locate();
        agent.token();
        ProcessBuilder builder = ProgramRunner.builder(command, distribution.requireClientLibrary(), agent.address(),
                agent.tokenFile);
        if (attach != null) {
            builder.environment().put("GPUMIGRATE_SESSION", Long.toUnsignedString(SessionArgument.parse(spec, attach)));
        }
        return ProgramRunner.run(builder);
    }
}
