package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the GPU test classes ({@link CudaBackendTest}, {@link CudaPlacementTest}) on a machine
 * without Maven, such as a GPU test machine, where the JUnit launcher is not at hand: only
 * {@code junit-jupiter-api}, {@code junit-platform-commons} and {@code opentest4j} need to be on
 * the class path. It runs each {@code @Test} method between the {@code @BeforeEach} and
 * {@code @AfterEach} methods of its class hierarchy, prints {@code PASS}, {@code SKIP} or
 * {@code FAIL} per test, and exits 1 if any failed. A plain reflective runner: no extensions,
 * no parameterized tests, which these classes do not use.
 */
public final class GpuTestMain {

    private GpuTestMain() {
    }

    public static void main(String[] args) throws Exception {
        if (!CudaBackend.available()) {
            System.out.println("FAIL no CUDA GPU: " + CudaBackend.unavailableReason());
            System.exit(1);
        }
        int failed = 0;
        int passed = 0;
        for (Class<?> type : List.of(CudaBackendTest.class, CudaPlacementTest.class, CudaModuleGlobalsTest.class)) {
            for (Method test : annotated(type, Test.class)) {
                String name = type.getSimpleName() + "." + test.getName();
                Object instance = construct(type);
                Throwable problem = null;
                try {
                    invokeAll(instance, annotated(type, BeforeEach.class));
                    test.invoke(instance);
                } catch (Throwable t) {
                    problem = unwrap(t);
                } finally {
                    try {
                        invokeAll(instance, annotated(type, AfterEach.class));
                    } catch (Throwable t) {
                        problem = problem != null ? problem : unwrap(t);
                    }
                }
                if (problem == null) {
                    passed++;
                    System.out.println("PASS " + name);
                } else if (problem instanceof TestAbortedException) {
                    System.out.println("SKIP " + name + ": " + problem.getMessage());
                } else {
                    failed++;
                    System.out.println("FAIL " + name + ": " + problem);
                    problem.printStackTrace(System.out);
                }
            }
        }
        System.out.println((failed == 0 ? "PASS" : "FAIL") + " gpu tests: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    private static Object construct(Class<?> type) throws ReflectiveOperationException {
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    /** Methods carrying {@code annotation}, superclass methods first, in declaration order. */
    private static List<Method> annotated(Class<?> type, Class<? extends java.lang.annotation.Annotation> annotation) {
        List<Method> methods = new ArrayList<>();
        if (type.getSuperclass() != null) {
            methods.addAll(annotated(type.getSuperclass(), annotation));
        }
        for (Method m : type.getDeclaredMethods()) {
            if (m.isAnnotationPresent(annotation)) {
                m.setAccessible(true);
                methods.add(m);
            }
        }
        return methods;
    }

    private static void invokeAll(Object instance, List<Method> methods) throws Throwable {
        for (Method m : methods) {
            m.invoke(instance);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : t;
    }
}
