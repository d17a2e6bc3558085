package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips each test of a class that needs a CUDA GPU where none is found, reporting every skip
 * with the reason. Decided per test (not per class) so that each one shows up as skipped, and
 * before any {@code @BeforeEach} runs.
 */
final class RequiresCudaGpu implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("decided per test");
        }
        return CudaBackend.available()
                ? ConditionEvaluationResult.enabled("CUDA GPU found")
                : ConditionEvaluationResult.disabled("no CUDA GPU: " + CudaBackend.unavailableReason());
    }
}
