// Matches an EventBridge event pattern against events with aws/event-ruler,
// the library EventBridge's matching is published as.
//
//   java -cp '.tools/ruler/*' Match.java PATTERN_FILE EVENTS_FILE
//
// EVENTS_FILE holds a JSON array of events; one line per event, true or
// false. Exit 2 when the pattern does not compile, 3 on a bad events file.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;
import software.amazon.event.ruler.Patterns;

public class Match {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            fail(1, "usage: Match PATTERN_FILE EVENTS_FILE");
        }
        // JsonRuleCompiler reads the whole pattern language ($or, lists of
        // prefixes, anything-but); Machine.addRule would fall back to the
        // older compiler on a pattern it cannot parse, hiding the error.
        List<Map<String, List<Patterns>>> rules = null;
        try {
            rules = JsonRuleCompiler.compile(Files.readString(Path.of(args[0])));
        } catch (Exception e) {
            fail(2, "the pattern does not compile: " + e.getMessage());
        }
        Machine machine = Machine.builder().build();
        for (Map<String, List<Patterns>> rule : rules) {
            machine.addPatternRule("rule", rule);
        }
        JsonNode events = null;
        try {
            events = new ObjectMapper().readTree(Files.readString(Path.of(args[1])));
        } catch (Exception e) {
            fail(3, "the events are not JSON: " + e.getMessage());
        }
        if (events == null || !events.isArray()) {
            fail(3, "the events file must hold a JSON array of events");
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode event : events) {
            // rulesForJSONEvent keeps array elements apart, as EventBridge
            // does (the older rulesForEvent matches across them).
            out.append(!machine.rulesForJSONEvent(event).isEmpty()).append('\n');
        }
        System.out.print(out);
    }

    private static void fail(int code, String message) {
        System.err.println("Match: " + message);
        System.exit(code);
    }
}
