/** JCuda test workloads: unmodified JCuda driver-API programs that verify their own results and print PASS or FAIL. */
package io.gpumigrate.workloads.jcuda;
