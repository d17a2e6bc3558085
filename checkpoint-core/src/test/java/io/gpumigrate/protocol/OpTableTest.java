package io.gpumigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java enum of operations must match ops.def, the table the C client library is built from. */
class OpTableTest {

    private static final Pattern ENTRY = Pattern.compile("^GM_OP\\((0x[0-9A-Fa-f]+),\\s*(\\w+),\\s*(\\w+)\\)", Pattern.MULTILINE);

    @Test
    void enumMatchesOpsDef() throws IOException {
        String def = Files.readString(Path.of("../native/include/gpumigrate/ops.def"));
        Map<String, String> fromDef = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(def);
        while (m.find()) {
            fromDef.put(m.group(2), Integer.parseInt(m.group(1).substring(2), 16) + "/" + m.group(3));
        }
        Map<String, String> fromEnum = new LinkedHashMap<>();
        for (Op op : Op.values()) {
            fromEnum.put(op.name(), op.code() + "/" + op.kind());
            assertEquals(op, Op.of(op.code()));
        }
        assertEquals(fromDef, fromEnum);
    }
}
