package io.gpumigrate.cli;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.device.CudaException;

import java.io.IOException;

/** Runs one control call against an agent and turns its failures into {@link CliException}s naming the agent. */
final class ControlCall {

    interface Body<T> {
        T run() throws IOException, CudaException;
    }

    private ControlCall() {
    }

    static <T> T run(HostPort agent, String what, Body<T> body) throws CliException {
        try {
            return body.run();
        } catch (IOException e) {
            throw new CliException("cannot reach the agent at " + agent + ": " + e.getMessage(), e);
        } catch (CudaException e) {
            throw new CliException(what + " failed: " + e.getMessage(), e);
        }
    }
}
