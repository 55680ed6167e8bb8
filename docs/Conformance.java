import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Generates docs/conformance.md and docs/conformance-5.md, the MQTT 3.1.1 and MQTT 5.0 conformance matrices of
 * Stratus.
 *
 * <p>Run from the project root: {@code java docs/Conformance.java} (Java 17, no dependencies). An optional
 * argument names the project root instead; {@code -v} prints where each test citation was attributed.
 *
 * <p>Inputs:
 * <ul>
 *   <li>{@code docs/mqtt-3.1.1-statements.tsv} and {@code docs/mqtt-5.0-statements.tsv}:
 *       {@code id<TAB>who<TAB>text}, one line per normative statement, with the ids of the standard;</li>
 *   <li>{@code docs/conformance-notes.tsv} and {@code docs/conformance-5-notes.tsv}: {@code id<TAB>reason} for
 *       statements that do not bind Stratus;</li>
 *   <li>every file under {@code <module>/src/test/java} and {@code <module>/src/main/java}, scanned for statement
 *       ids. MQTT 3.1.1 ids are written {@code MQTT-3.1.2-24} (bracketed in comments, in {@code @DisplayName}
 *       strings, in messages; {@code MQTT-3.2.2-1..3} cites a range) or {@code MQTT_3_1_2_24} (in test method
 *       names). MQTT 5.0 reuses the same id form with other meanings ({@code MQTT-3.1.2-24} is Keep Alive in 3.1.1
 *       and Maximum Packet Size in 5.0), so code cites a 5.0 statement as {@code MQTT5-3.1.2-24},
 *       {@code MQTT5-3.2.2-1..3} or {@code MQTT5_3_1_2_24}; a plain {@code MQTT-} id is always 3.1.1.</li>
 * </ul>
 *
 * <p>A citation in a test file is attributed to the enclosing method (found by tracking braces; a citation in a
 * comment or annotation just above a method, e.g. {@code @DisplayName}, belongs to that method). It counts as test
 * coverage when that method is a test ({@code @Test}, {@code @ParameterizedTest}, {@code @Property}, ...) or, for
 * a citation at class level, when the class holds tests. Citations in helpers are listed but not counted.
 *
 * <p>Statements that are neither tested nor noted are reported (NOT COVERED) but never make the run fail.
 */
public class Conformance {

    static final String STATEMENTS = "docs/mqtt-3.1.1-statements.tsv";
    static final String NOTES = "docs/conformance-notes.tsv";
    static final String OUTPUT = "docs/conformance.md";

    static final Pattern DOT_ID =
        Pattern.compile("(?<![\\w.])MQTT-(\\d+)\\.(\\d+)\\.(\\d+)-(\\d+)(?:\\.\\.(\\d+))?(?!\\d)");
    static final Pattern UNDERSCORE_ID = Pattern.compile("(?<![A-Za-z0-9])MQTT_(\\d+)_(\\d+)_(\\d+)_(\\d+)(?!\\d)");

    static final Set<String> TEST_ANNOTATIONS = Set.of("Test", "ParameterizedTest", "RepeatedTest", "TestFactory",
        "TestTemplate", "Property", "Example");

    static final String STATEMENTS_5 = "docs/mqtt-5.0-statements.tsv";
    static final String NOTES_5 = "docs/conformance-5-notes.tsv";
    static final String OUTPUT_5 = "docs/conformance-5.md";

    /** A 5.0 citation; the third number is optional only so that the body's {@code MQTT5-4.2-1} can be aliased. */
    static final Pattern DOT_ID_5 =
        Pattern.compile("(?<![\\w.])MQTT5-(\\d+)\\.(\\d+)(?:\\.(\\d+))?-(\\d+)(?:\\.\\.(\\d+))?(?!\\d)");
    static final Pattern UNDERSCORE_ID_5 =
        Pattern.compile("(?<![A-Za-z0-9])MQTT5_(\\d+)_(\\d+)_(\\d+)_(\\d+)(?!\\d)");

    /**
     * Ids the body of the MQTT 5.0 standard writes differently from its Appendix B, mapped to the Appendix B id that
     * the statement list uses.
     */
    static final Map<String, String> ALIASES_5 = Map.of("MQTT-4.2-1", "MQTT-4.2.0-1");

    static final Map<String, String> SECTION_TITLES = new LinkedHashMap<>();
    static final Map<String, String> SECTION_TITLES_5 = new LinkedHashMap<>();

    static {
        SECTION_TITLES.put("1.5", "Data representations: UTF-8 encoded strings");
        SECTION_TITLES.put("2.2", "Fixed header");
        SECTION_TITLES.put("2.3", "Variable header: Packet Identifier");
        SECTION_TITLES.put("3.1", "CONNECT");
        SECTION_TITLES.put("3.2", "CONNACK");
        SECTION_TITLES.put("3.3", "PUBLISH");
        SECTION_TITLES.put("3.4", "PUBACK");
        SECTION_TITLES.put("3.5", "PUBREC");
        SECTION_TITLES.put("3.6", "PUBREL");
        SECTION_TITLES.put("3.7", "PUBCOMP");
        SECTION_TITLES.put("3.8", "SUBSCRIBE");
        SECTION_TITLES.put("3.9", "SUBACK");
        SECTION_TITLES.put("3.10", "UNSUBSCRIBE");
        SECTION_TITLES.put("3.11", "UNSUBACK");
        SECTION_TITLES.put("3.12", "PINGREQ");
        SECTION_TITLES.put("3.13", "PINGRESP");
        SECTION_TITLES.put("3.14", "DISCONNECT");
        SECTION_TITLES.put("4.1", "Storing state");
        SECTION_TITLES.put("4.3", "Quality of Service levels and protocol flows");
        SECTION_TITLES.put("4.4", "Message delivery retry");
        SECTION_TITLES.put("4.5", "Message receipt");
        SECTION_TITLES.put("4.6", "Message ordering");
        SECTION_TITLES.put("4.7", "Topic Names and Topic Filters");
        SECTION_TITLES.put("4.8", "Handling errors");
        SECTION_TITLES.put("6", "Using WebSocket as a network transport");
        SECTION_TITLES.put("7", "Conformance targets");

        SECTION_TITLES_5.put("1.5", "Data representation");
        SECTION_TITLES_5.put("2.1", "Structure of an MQTT Control Packet: flags");
        SECTION_TITLES_5.put("2.2", "Variable Header: Packet Identifier and Properties");
        SECTION_TITLES_5.put("3.1", "CONNECT");
        SECTION_TITLES_5.put("3.2", "CONNACK");
        SECTION_TITLES_5.put("3.3", "PUBLISH");
        SECTION_TITLES_5.put("3.4", "PUBACK");
        SECTION_TITLES_5.put("3.5", "PUBREC");
        SECTION_TITLES_5.put("3.6", "PUBREL");
        SECTION_TITLES_5.put("3.7", "PUBCOMP");
        SECTION_TITLES_5.put("3.8", "SUBSCRIBE");
        SECTION_TITLES_5.put("3.9", "SUBACK");
        SECTION_TITLES_5.put("3.10", "UNSUBSCRIBE");
        SECTION_TITLES_5.put("3.11", "UNSUBACK");
        SECTION_TITLES_5.put("3.12", "PINGREQ");
        SECTION_TITLES_5.put("3.14", "DISCONNECT");
        SECTION_TITLES_5.put("3.15", "AUTH");
        SECTION_TITLES_5.put("4.1", "Session State");
        SECTION_TITLES_5.put("4.2", "Network Connections");
        SECTION_TITLES_5.put("4.3", "Quality of Service levels and protocol flows");
        SECTION_TITLES_5.put("4.4", "Message delivery retry");
        SECTION_TITLES_5.put("4.5", "Message receipt");
        SECTION_TITLES_5.put("4.6", "Message ordering");
        SECTION_TITLES_5.put("4.7", "Topic Names and Topic Filters");
        SECTION_TITLES_5.put("4.8", "Subscriptions");
        SECTION_TITLES_5.put("4.9", "Flow Control");
        SECTION_TITLES_5.put("4.12", "Enhanced authentication");
        SECTION_TITLES_5.put("4.13", "Handling errors");
        SECTION_TITLES_5.put("6", "Using WebSocket as a network transport");
    }

    /**
     * One MQTT version's matrix: where its inputs and output are, how code cites its statements ({@code citePrefix}
     * replaces the {@code MQTT-} of a statement id), and the anchors of its output.
     */
    record Spec(String version, String statements, String notes, String output, Pattern dotId, Pattern underscoreId,
                String citePrefix, String anchorPrefix, Map<String, String> titles, Map<String, String> aliases) {

        /** How code cites the statement {@code id}. */
        String cite(String id) {
            return citePrefix + id.substring("MQTT-".length());
        }
    }

    static final Spec V311 = new Spec("3.1.1", STATEMENTS, NOTES, OUTPUT, DOT_ID, UNDERSCORE_ID, "MQTT-", "mqtt-",
        SECTION_TITLES, Map.of());
    static final Spec V5 = new Spec("5.0", STATEMENTS_5, NOTES_5, OUTPUT_5, DOT_ID_5, UNDERSCORE_ID_5, "MQTT5-",
        "mqtt5-", SECTION_TITLES_5, ALIASES_5);

    /** The inputs of one matrix and the citations found for it. */
    static final class Matrix {
        final Spec spec;
        final List<Statement> statements;
        final Map<String, Statement> byId = new LinkedHashMap<>();
        final Map<String, String> notes;
        final Map<String, Set<Ref>> testRefs = new TreeMap<>();
        final Map<String, Set<Ref>> codeRefs = new TreeMap<>();
        /** Cited ids that are not statements, as cited, with where. */
        final Map<String, Set<String>> unknown = new TreeMap<>();

        Matrix(Path root, Spec spec) throws IOException {
            this.spec = spec;
            this.statements = readStatements(root.resolve(spec.statements()));
            for (Statement s : statements) {
                if (byId.put(s.id(), s) != null) {
                    throw new IllegalStateException("duplicate statement " + s.id() + " in " + spec.statements());
                }
            }
            this.notes = readNotes(root.resolve(spec.notes()));
            for (String id : notes.keySet()) {
                if (!byId.containsKey(id)) {
                    System.err.println("warning: " + spec.notes() + " names " + id + ", which is not a statement");
                }
            }
        }
    }

    record Statement(String id, String who, String text, int[] key) {
        boolean serverSide() {
            return !who.equals("client");
        }

        String section() {
            return key[0] >= 6 ? String.valueOf(key[0]) : key[0] + "." + key[1];
        }
    }

    /** One citation: where it is, how to show it, and whether it counts as test coverage. */
    record Ref(String display, String link, boolean test) {}

    /** A method found in a test file. */
    static final class MethodInfo {
        final String name;
        final int declLine;
        final List<String> classChain;
        final Set<String> annotations;
        /** Argument providers named by {@code @MethodSource}. */
        final List<String> sources = new ArrayList<>();
        /** Names of the methods of the same file that this one calls. */
        final Set<String> calls = new LinkedHashSet<>();
        /** For a helper: the tests of the same file that use it, directly or through other helpers. */
        final List<MethodInfo> usedBy = new ArrayList<>();
        int endLine;

        MethodInfo(String name, int declLine, List<String> classChain, Set<String> annotations) {
            this.name = name;
            this.declLine = declLine;
            this.classChain = classChain;
            this.annotations = annotations;
            this.endLine = declLine;
        }

        boolean isTest() {
            return annotations.stream().anyMatch(TEST_ANNOTATIONS::contains);
        }
    }

    /** With -v, print where each citation was attributed. */
    static boolean verbose;

    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) {
                verbose = true;
            } else {
                positional.add(a);
            }
        }
        Path root = Paths.get(positional.isEmpty() ? "." : positional.get(0)).toAbsolutePath().normalize();
        if (!Files.exists(root.resolve(STATEMENTS)) && Files.exists(root.resolve("../" + STATEMENTS))) {
            root = root.getParent(); // run from docs/
        }
        if (!Files.exists(root.resolve(STATEMENTS))) {
            System.err.println("cannot find " + STATEMENTS + " under " + root + "; run from the project root");
            System.exit(2);
        }

        List<Matrix> matrices = new ArrayList<>();
        for (Spec spec : List.of(V311, V5)) {
            if (spec != V311 && !Files.exists(root.resolve(spec.statements()))) {
                System.err.println("warning: no " + spec.statements() + "; MQTT " + spec.version() + " matrix skipped");
                continue;
            }
            matrices.add(new Matrix(root, spec));
        }
        int[] scanned = new int[2];

        List<Path> modules;
        try (Stream<Path> s = Files.list(root)) {
            modules = s.filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted()
                .collect(Collectors.toList());
        }
        for (Path module : modules) {
            for (boolean test : new boolean[] {true, false}) {
                Path dir = module.resolve(test ? "src/test/java" : "src/main/java");
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                List<Path> files;
                try (Stream<Path> s = Files.walk(dir)) {
                    files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
                }
                for (Path file : files) {
                    scanned[test ? 0 : 1]++;
                    scanFile(root, file, test, matrices);
                }
            }
        }

        for (Matrix m : matrices) {
            String md = render(m, scanned);
            Files.writeString(root.resolve(m.spec.output()), md, StandardCharsets.UTF_8);

            // console summary; statements NOT COVERED are reported, never fatal
            long server = m.statements.stream().filter(Statement::serverSide).count();
            List<String> gaps = new ArrayList<>();
            long serverTested = 0;
            for (Statement s : m.statements) {
                if (s.serverSide() && isTested(m.testRefs.get(s.id()))) {
                    serverTested++;
                } else if (s.serverSide() && !m.notes.containsKey(s.id())) {
                    gaps.add(m.spec.cite(s.id()));
                }
            }
            System.out.println("wrote " + m.spec.output() + ": " + m.statements.size() + " statements, " + server
                + " server-side, " + serverTested + " server-side tested, " + gaps.size()
                + " server-side NOT COVERED");
            if (!gaps.isEmpty()) {
                System.out.println("NOT COVERED: " + String.join(" ", gaps));
            }
            if (!m.unknown.isEmpty()) {
                System.out.println("cited ids that are not MQTT " + m.spec.version() + " statements: "
                    + String.join(" ", m.unknown.keySet()));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- inputs

    static List<Statement> readStatements(Path tsv) throws IOException {
        List<Statement> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 3) {
                throw new IllegalStateException(tsv + ":" + n + ": expected id<TAB>who<TAB>text");
            }
            String who = f[1].trim();
            if (!Set.of("server", "client", "both").contains(who)) {
                throw new IllegalStateException(tsv + ":" + n + ": who must be server, client or both");
            }
            int[] key = parseId(f[0].trim());
            if (key == null) {
                throw new IllegalStateException(tsv + ":" + n + ": bad id " + f[0]);
            }
            out.add(new Statement(f[0].trim(), who, f[2].trim(), key));
        }
        out.sort(Comparator.comparing(Statement::key, Arrays::compare));
        return out;
    }

    static Map<String, String> readNotes(Path tsv) throws IOException {
        Map<String, String> notes = new LinkedHashMap<>();
        if (!Files.exists(tsv)) {
            return notes;
        }
        int n = 0;
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 2);
            if (f.length != 2) {
                throw new IllegalStateException(tsv + ":" + n + ": expected id<TAB>reason");
            }
            notes.put(f[0].trim(), f[1].trim());
        }
        return notes;
    }

    static int[] parseId(String id) {
        Matcher m = Pattern.compile("MQTT-(\\d+)\\.(\\d+)\\.(\\d+)-(\\d+)").matcher(id);
        if (!m.matches()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
            Integer.parseInt(m.group(4))};
    }

    // ---------------------------------------------------------------------------------------------- scanning

    /** An id cited at a character offset of a line (0-based line). */
    record Citation(String id, int line) {}

    static List<Citation> citations(List<String> lines, Spec spec) {
        List<Citation> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = spec.dotId().matcher(line);
            while (m.find()) {
                String prefix = "MQTT-" + m.group(1) + "." + m.group(2) + (m.group(3) == null ? "" : "." + m.group(3))
                    + "-";
                int from = Integer.parseInt(m.group(4));
                int to = m.group(5) == null ? from : Integer.parseInt(m.group(5));
                if (to < from || to - from > 50) {
                    to = from;
                }
                for (int k = from; k <= to; k++) {
                    String id = prefix + k;
                    out.add(new Citation(spec.aliases().getOrDefault(id, id), i));
                }
            }
            m = spec.underscoreId().matcher(line);
            while (m.find()) {
                out.add(new Citation(
                    "MQTT-" + m.group(1) + "." + m.group(2) + "." + m.group(3) + "-" + m.group(4), i));
            }
        }
        return out;
    }

    static void scanFile(Path root, Path file, boolean test, List<Matrix> matrices) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        }
        List<String> lines = Arrays.asList(text.split("\r?\n", -1));
        JavaStructure structure = null;
        for (Matrix matrix : matrices) {
            List<Citation> cites = citations(lines, matrix.spec);
            if (cites.isEmpty()) {
                continue;
            }
            if (structure == null && test && file.getFileName().toString().endsWith(".java")) {
                structure = JavaStructure.parse(text);
            }
            attribute(root, file, test, cites, structure, matrix);
        }
    }

    /** Records the citations of one file for one matrix, as test refs or code refs. */
    static void attribute(Path root, Path file, boolean test, List<Citation> cites, JavaStructure structure,
                          Matrix matrix) {
        Map<String, Set<Ref>> testRefs = matrix.testRefs;
        Map<String, Set<Ref>> codeRefs = matrix.codeRefs;
        String rel = root.relativize(file).toString().replace('\\', '/');
        String fileName = file.getFileName().toString();

        for (Citation c : cites) {
            String loc = rel + ":" + (c.line() + 1);
            if (!matrix.byId.containsKey(c.id())) {
                matrix.unknown.computeIfAbsent(matrix.spec.cite(c.id()), k -> new TreeSet<>()).add(loc);
                continue;
            }
            if (!test) {
                Set<Ref> inCode = codeRefs.computeIfAbsent(c.id(), k -> new LinkedHashSet<>());
                if (inCode.stream().noneMatch(r -> r.link().startsWith("../" + rel + "#"))) {
                    inCode.add(new Ref(fileName, "../" + rel + "#L" + (c.line() + 1), true));
                }
                continue;
            }
            Ref ref;
            if (structure == null) {
                ref = new Ref(fileName, "../" + rel + "#L" + (c.line() + 1), false);
            } else {
                MethodInfo m = structure.attribute(c.line());
                String baseClass = fileName.substring(0, fileName.length() - ".java".length());
                if (m != null) {
                    String cls = m.classChain.isEmpty() ? baseClass : String.join(".", m.classChain);
                    String display = cls + "#" + m.name;
                    boolean counted = m.isTest();
                    if (!counted && !m.usedBy.isEmpty()) {
                        counted = true; // a helper or argument source of tests in this file
                        display += m.usedBy.size() == 1
                            ? " (used by " + m.usedBy.get(0).name + ")"
                            : " (used by " + m.usedBy.size() + " tests)";
                    }
                    ref = new Ref(display, "../" + rel + "#L" + (m.declLine + 1), counted);
                } else {
                    List<String> chain = structure.classChainAt(c.line());
                    String cls = chain.isEmpty() ? baseClass : String.join(".", chain);
                    ref = new Ref(cls, "../" + rel + "#L" + (c.line() + 1), structure.hasTests(chain));
                }
            }
            if (verbose) {
                System.out.println(loc + " " + matrix.spec.cite(c.id()) + " -> " + ref.display()
                    + (ref.test() ? "" : " (not counted)"));
            }
            addRef(testRefs, c.id(), ref);
        }
    }

    /** Keeps one ref per display name; a counted ref wins over a helper ref of the same name. */
    static void addRef(Map<String, Set<Ref>> refs, String id, Ref ref) {
        Set<Ref> set = refs.computeIfAbsent(id, k -> new LinkedHashSet<>());
        for (Ref r : set) {
            if (r.display().equals(ref.display())) {
                if (!r.test() && ref.test()) {
                    set.remove(r);
                    set.add(ref);
                }
                return;
            }
        }
        set.add(ref);
    }

    static boolean isTested(Set<Ref> refs) {
        return refs != null && refs.stream().anyMatch(Ref::test);
    }

    /**
     * The classes and methods of one Java source file, line by line: enough to say which method (or class) a
     * line belongs to. Comments and literals are blanked before braces are counted.
     */
    static final class JavaStructure {
        static final Pattern CLASS_DECL =
            Pattern.compile("(?<![\\w.@])(?:class|interface|enum|record)\\s+([A-Za-z_$][\\w$]*)");
        static final Pattern VOID_DECL = Pattern.compile("(?<![\\w.])void\\s+([A-Za-z_$][\\w$]*)\\s*\\(");
        static final Pattern OTHER_DECL = Pattern.compile(
            "^\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s+)*"
                + "(?:(?:public|protected|private|static|final|abstract|synchronized|default|native|strictfp)\\s+)*"
                + "(?:<[^>]*>\\s+)?([\\w$][\\w$.]*(?:<[^()]*>)?(?:\\[\\])*)\\s+([A-Za-z_$][\\w$]*)\\s*\\(");
        static final Pattern CTOR_DECL = Pattern.compile(
            "^\\s*(?:(?:public|protected|private)\\s+)?([A-Z][\\w$]*)\\s*\\(");
        static final Pattern ANNOTATION = Pattern.compile("@([A-Za-z_$][\\w$]*)");
        static final Pattern METHOD_SOURCE = Pattern.compile("@MethodSource\\b\\s*(\\(([^)]*)\\))?");
        static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
        static final Pattern CALL = Pattern.compile("(?<![\\w$])([A-Za-z_$][\\w$]*)\\s*\\(");
        static final Set<String> NOT_TYPES = Set.of("return", "new", "else", "throw", "case", "yield", "assert",
            "package", "import");

        enum Kind { CLASS, METHOD, BLOCK }

        record Scope(Kind kind, String name, MethodInfo method) {}

        String[] code;
        MethodInfo[] methodAt;
        MethodInfo[] methodDeclaredOn;
        String[] classDeclaredOn;
        List<String>[] chainAt;
        int[] parenAtStart;
        final Set<String> classesWithTests = new LinkedHashSet<>();

        @SuppressWarnings("unchecked")
        static JavaStructure parse(String text) {
            JavaStructure js = new JavaStructure();
            String[] raw = text.split("\r?\n", -1);
            List<MethodInfo> methods = new ArrayList<>();
            int annotationStart = -1;
            js.code = blank(text).split("\r?\n", -1);
            int n = js.code.length;
            js.methodAt = new MethodInfo[n];
            js.methodDeclaredOn = new MethodInfo[n];
            js.classDeclaredOn = new String[n];
            js.chainAt = new List[n];
            js.parenAtStart = new int[n];

            List<Scope> stack = new ArrayList<>();
            Set<String> annotations = new LinkedHashSet<>();
            String pendingClass = null;
            MethodInfo pendingMethod = null;
            int paren = 0;

            for (int i = 0; i < n; i++) {
                String line = js.code[i];
                js.parenAtStart[i] = paren;
                List<String> chain = chainOf(stack);
                js.chainAt[i] = chain;
                MethodInfo enclosing = innermostMethod(stack);
                if (enclosing == null) {
                    enclosing = pendingMethod;
                }

                boolean classBody = stack.isEmpty() || stack.get(stack.size() - 1).kind() == Kind.CLASS;
                if (classBody && paren == 0 && pendingMethod == null) {
                    Matcher cm = CLASS_DECL.matcher(line);
                    Matcher vm = VOID_DECL.matcher(line);
                    Matcher om = OTHER_DECL.matcher(line);
                    Matcher ctor = CTOR_DECL.matcher(line);
                    String name = null;
                    int nameAt = -1;
                    if (cm.find() && (!vm.find(0) || cm.start() < vm.start())) {
                        pendingClass = cm.group(1);
                        js.classDeclaredOn[i] = pendingClass;
                        collect(line, line.length(), annotations);
                        annotationStart = -1;
                    } else if (!stack.isEmpty()) {
                        if (vm.find(0)) {
                            name = vm.group(1);
                            nameAt = vm.start();
                        } else if (om.find() && !NOT_TYPES.contains(om.group(1))) {
                            name = om.group(2);
                            nameAt = om.start(2);
                        } else if (ctor.find() && ctor.group(1).equals(stack.get(stack.size() - 1).name())) {
                            name = ctor.group(1);
                            nameAt = ctor.start(1);
                        }
                        if (name != null) {
                            collect(line, nameAt, annotations);
                            pendingMethod = new MethodInfo(name, i, chain, new LinkedHashSet<>(annotations));
                            js.methodDeclaredOn[i] = pendingMethod;
                            methods.add(pendingMethod);
                            String head = String.join("\n",
                                Arrays.asList(raw).subList(annotationStart < 0 ? i : annotationStart, i + 1));
                            Matcher ms = METHOD_SOURCE.matcher(head);
                            while (ms.find()) {
                                Matcher q = QUOTED.matcher(ms.group(2) == null ? "" : ms.group(2));
                                boolean any = false;
                                while (q.find()) {
                                    String src = q.group(1);
                                    pendingMethod.sources.add(src.substring(src.lastIndexOf('#') + 1));
                                    any = true;
                                }
                                if (!any) {
                                    pendingMethod.sources.add(name); // @MethodSource without a value
                                }
                            }
                            annotationStart = -1;
                            if (pendingMethod.isTest()) {
                                for (int k = 1; k <= chain.size(); k++) {
                                    js.classesWithTests.add(String.join(".", chain.subList(0, k)));
                                }
                            }
                        } else {
                            if (annotations.isEmpty() && ANNOTATION.matcher(line).find()) {
                                annotationStart = i;
                            }
                            collect(line, line.length(), annotations);
                        }
                    }
                }
                if (enclosing == null) {
                    enclosing = js.methodDeclaredOn[i];
                }
                js.methodAt[i] = enclosing;

                for (int k = 0; k < line.length(); k++) {
                    char ch = line.charAt(k);
                    if (ch == '(') {
                        paren++;
                    } else if (ch == ')') {
                        paren = Math.max(0, paren - 1);
                    } else if (paren > 0) {
                        continue; // braces inside parentheses: annotation arrays, lambdas in arguments
                    } else if (ch == '{') {
                        if (pendingMethod != null) {
                            stack.add(new Scope(Kind.METHOD, pendingMethod.name, pendingMethod));
                            pendingMethod = null;
                        } else if (pendingClass != null) {
                            stack.add(new Scope(Kind.CLASS, pendingClass, null));
                            pendingClass = null;
                        } else {
                            stack.add(new Scope(Kind.BLOCK, null, null));
                        }
                        annotations.clear();
                        annotationStart = -1;
                    } else if (ch == '}') {
                        if (!stack.isEmpty()) {
                            Scope closed = stack.remove(stack.size() - 1);
                            if (closed.kind() == Kind.METHOD) {
                                closed.method().endLine = i;
                            }
                        }
                        annotations.clear();
                        annotationStart = -1;
                    } else if (ch == ';') {
                        boolean atClassLevel = stack.isEmpty() || stack.get(stack.size() - 1).kind() == Kind.CLASS;
                        if (atClassLevel) {
                            pendingMethod = null; // abstract or interface method, or a field
                            annotations.clear();
                            annotationStart = -1;
                        }
                    }
                }
            }
            js.linkHelpers(methods);
            return js;
        }

        /** Records, for each non-test method, the tests of this file that reach it by calls or @MethodSource. */
        void linkHelpers(List<MethodInfo> methods) {
            Map<String, List<MethodInfo>> byName = new LinkedHashMap<>();
            for (MethodInfo m : methods) {
                byName.computeIfAbsent(m.name, k -> new ArrayList<>()).add(m);
            }
            for (MethodInfo m : methods) {
                for (int k = m.declLine; k <= m.endLine && k < code.length; k++) {
                    Matcher c = CALL.matcher(code[k]);
                    while (c.find()) {
                        if (byName.containsKey(c.group(1)) && !(k == m.declLine && c.group(1).equals(m.name))) {
                            m.calls.add(c.group(1));
                        }
                    }
                }
            }
            for (MethodInfo test : methods) {
                if (!test.isTest()) {
                    continue;
                }
                Set<String> seen = new LinkedHashSet<>();
                List<String> todo = new ArrayList<>(test.sources);
                todo.addAll(test.calls);
                while (!todo.isEmpty()) {
                    String name = todo.remove(todo.size() - 1);
                    if (!seen.add(name)) {
                        continue;
                    }
                    for (MethodInfo helper : byName.getOrDefault(name, List.of())) {
                        if (!helper.isTest() && !helper.usedBy.contains(test)) {
                            helper.usedBy.add(test);
                            todo.addAll(helper.calls);
                        }
                    }
                }
            }
        }

        static void collect(String line, int end, Set<String> into) {
            Matcher m = ANNOTATION.matcher(line.substring(0, Math.max(0, Math.min(end, line.length()))));
            while (m.find()) {
                into.add(m.group(1));
            }
        }

        static List<String> chainOf(List<Scope> stack) {
            List<String> chain = new ArrayList<>();
            for (Scope s : stack) {
                if (s.kind() == Kind.CLASS) {
                    chain.add(s.name());
                }
            }
            return List.copyOf(chain);
        }

        static MethodInfo innermostMethod(List<Scope> stack) {
            for (int k = stack.size() - 1; k >= 0; k--) {
                if (stack.get(k).kind() == Kind.METHOD) {
                    return stack.get(k).method();
                }
            }
            return null;
        }

        /**
         * The method a line belongs to: the enclosing one, else the next method when the line is in the comments
         * and annotations (such as {@code @DisplayName}) just above its declaration; null at class level.
         */
        MethodInfo attribute(int line) {
            if (methodAt[line] != null) {
                return methodAt[line];
            }
            for (int j = line; j < code.length && j < line + 60; j++) {
                if (methodDeclaredOn[j] != null) {
                    return methodDeclaredOn[j];
                }
                if (classDeclaredOn[j] != null) {
                    return null;
                }
                String t = code[j].trim();
                if (!(t.isEmpty() || t.startsWith("@") || parenAtStart[j] > 0 || j == line && t.endsWith(")"))) {
                    return null;
                }
            }
            return null;
        }

        /** The classes a line is in, or, for comments and annotations above a class, that class. */
        List<String> classChainAt(int line) {
            for (int j = line; j < code.length && j < line + 60; j++) {
                if (classDeclaredOn[j] != null) {
                    List<String> chain = new ArrayList<>(chainAt[j]);
                    chain.add(classDeclaredOn[j]);
                    return chain;
                }
                String t = code[j].trim();
                if (!(t.isEmpty() || t.startsWith("@") || parenAtStart[j] > 0)) {
                    break;
                }
            }
            return chainAt[line];
        }

        boolean hasTests(List<String> chain) {
            return !chain.isEmpty() && classesWithTests.contains(String.join(".", chain));
        }

        /** The text with comments and string/char literal contents replaced by spaces; line breaks kept. */
        static String blank(String s) {
            StringBuilder out = new StringBuilder(s.length());
            int i = 0;
            int n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                    while (i < n && s.charAt(i) != '\n') {
                        out.append(s.charAt(i) == '\r' ? '\r' : ' ');
                        i++;
                    }
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    int end = s.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    keepBreaks(s, i, end, out);
                    i = end;
                } else if (c == '"' && s.startsWith("\"\"\"", i)) {
                    int end = i + 3;
                    while (end < n && !s.startsWith("\"\"\"", end)) {
                        end += s.charAt(end) == '\\' ? 2 : 1;
                    }
                    end = Math.min(n, end + 3);
                    out.append("\"");
                    keepBreaks(s, i + 1, end - 1, out);
                    out.append("\"");
                    i = end;
                } else if (c == '"' || c == '\'') {
                    int end = i + 1;
                    while (end < n && s.charAt(end) != c && s.charAt(end) != '\n') {
                        end += s.charAt(end) == '\\' ? 2 : 1;
                    }
                    end = Math.min(n, end + 1);
                    out.append(c);
                    keepBreaks(s, i + 1, end - 1, out);
                    out.append(c);
                    i = end;
                } else {
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }

        static void keepBreaks(String s, int from, int to, StringBuilder out) {
            for (int k = from; k < to && k < s.length(); k++) {
                char c = s.charAt(k);
                out.append(c == '\n' || c == '\r' ? c : ' ');
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- output

    static String render(Matrix matrix, int[] scanned) {
        Spec spec = matrix.spec;
        List<Statement> statements = matrix.statements;
        Map<String, String> notes = matrix.notes;
        Map<String, Set<Ref>> testRefs = matrix.testRefs;
        Map<String, Set<Ref>> codeRefs = matrix.codeRefs;
        Map<String, Set<String>> unknown = matrix.unknown;
        int total = statements.size();
        int tested = 0, na = 0, open = 0, sTotal = 0, sTested = 0, sNa = 0, sOpen = 0;
        int onlyServer = 0, both = 0, client = 0;
        List<String> gaps = new ArrayList<>();
        for (Statement s : statements) {
            switch (s.who()) {
                case "server" -> onlyServer++;
                case "both" -> both++;
                default -> client++;
            }
            String status = status(s, notes, testRefs);
            boolean server = s.serverSide();
            sTotal += server ? 1 : 0;
            if (status.equals("tested")) {
                tested++;
                sTested += server ? 1 : 0;
            } else if (status.startsWith("not applicable")) {
                na++;
                sNa += server ? 1 : 0;
            } else {
                open++;
                if (server) {
                    sOpen++;
                    gaps.add(s.id());
                }
            }
        }

        StringBuilder md = new StringBuilder();
        if (spec == V311) {
            header311(md);
        } else {
            header5(md);
        }

        md.append("## Summary\n\n");
        md.append("| | all statements | server-side |\n|---|---:|---:|\n");
        md.append("| statements | ").append(total).append(" | ").append(sTotal).append(" |\n");
        md.append("| tested | ").append(tested).append(" | ").append(sTested).append(" |\n");
        md.append("| not applicable | ").append(na).append(" | ").append(sNa).append(" |\n");
        md.append("| NOT COVERED | ").append(open).append(" | ").append(sOpen).append(" |\n\n");
        md.append("Statements by whom they bind: ").append(onlyServer).append(" server, ").append(both)
            .append(" both, ").append(client).append(" client. Scanned ").append(scanned[0]).append(" test files and ")
            .append(scanned[1]).append(" main files.\n\n");
        if (!gaps.isEmpty()) {
            md.append("Server-side statements NOT COVERED (").append(gaps.size()).append("): ");
            md.append(gaps.stream().map(id -> "[" + id + "](#" + anchor(spec, id) + ")")
                .collect(Collectors.joining(", ")));
            md.append(".\n\n");
        }

        Map<String, List<Statement>> sections = new LinkedHashMap<>();
        for (Statement s : statements) {
            sections.computeIfAbsent(s.section(), k -> new ArrayList<>()).add(s);
        }
        md.append("## Statements by section\n\n");
        for (Map.Entry<String, List<Statement>> e : sections.entrySet()) {
            String title = spec.titles().getOrDefault(e.getKey(), "");
            long secTested = e.getValue().stream().filter(s -> status(s, notes, testRefs).equals("tested")).count();
            long secNa = e.getValue().stream()
                .filter(s -> status(s, notes, testRefs).startsWith("not applicable")).count();
            md.append("### ").append(e.getKey()).append(title.isEmpty() ? "" : " " + title).append("\n\n");
            md.append(e.getValue().size()).append(" statements: ").append(secTested).append(" tested, ")
                .append(secNa).append(" not applicable, ").append(e.getValue().size() - secTested - secNa)
                .append(" NOT COVERED.\n\n");
            md.append("| id | statement | tests | code | status |\n|---|---|---|---|---|\n");
            for (Statement s : e.getValue()) {
                md.append("| <a id=\"").append(anchor(spec, s.id())).append("\"></a>").append(s.id())
                    .append(s.who().equals("server") ? "" : " (" + s.who() + ")");
                md.append(" | ").append(cell(s.text()));
                md.append(" | ").append(refs(testRefs.get(s.id())));
                md.append(" | ").append(refs(codeRefs.get(s.id())));
                String status = status(s, notes, testRefs);
                md.append(" | ").append(status.equals("NOT COVERED") ? "**NOT COVERED**" : cell(status));
                md.append(" |\n");
            }
            md.append("\n");
        }

        if (!unknown.isEmpty()) {
            md.append("## Cited ids that are not MQTT ").append(spec.version()).append(" statements\n\n");
            md.append("Typos, or ids from another MQTT version. Fix the citation or the statement list.\n\n");
            md.append("| id | where |\n|---|---|\n");
            for (Map.Entry<String, Set<String>> e : unknown.entrySet()) {
                md.append("| ").append(e.getKey()).append(" | ")
                    .append(e.getValue().stream().map(loc -> {
                        int colon = loc.lastIndexOf(':');
                        return "[" + loc + "](../" + loc.substring(0, colon) + "#L" + loc.substring(colon + 1) + ")";
                    }).collect(Collectors.joining(", ")))
                    .append(" |\n");
            }
            md.append("\n");
        }
        return md.toString();
    }

    /** The title and introduction of the MQTT 3.1.1 matrix. */
    static void header311(StringBuilder md) {
        md.append("# MQTT 3.1.1 conformance matrix\n\n");
        md.append("<!-- Generated by docs/Conformance.java. Do not edit by hand: edit the inputs and regenerate. -->\n\n");
        md.append("Every normative statement of MQTT Version 3.1.1 (OASIS Standard incorporating Approved Errata 01, ")
            .append("[Appendix B](http://docs.oasis-open.org/mqtt/mqtt/v3.1.1/errata01/os/mqtt-v3.1.1-errata01-os-complete.html), ")
            .append("`[MQTT-1.5.3-1]` to `[MQTT-7.1.2-1]`), with the Stratus tests that check it and the code that ")
            .append("implements it.\n\n");
        md.append("The MQTT 5.0 matrix is [conformance-5.md](conformance-5.md).\n\n");
        md.append("## How this file is made\n\n");
        md.append("It is generated; regenerate it from the project root after adding or renaming tests:\n\n");
        md.append("```sh\njava docs/Conformance.java\n```\n\n");
        md.append("(Java 17, no build or dependencies needed.) The generator reads:\n\n");
        md.append("- [`mqtt-3.1.1-statements.tsv`](mqtt-3.1.1-statements.tsv): `id<TAB>who<TAB>text`, one line per ")
            .append("statement. `who` says whom the statement binds: `server`, `client`, or `both` (packet-format and ")
            .append("flow rules that bind whichever side sends, and client-side rules the Server must enforce on what it ")
            .append("receives, e.g. through [MQTT-3.1.4-1] or [MQTT-4.8.0-1]). Server-side means `server` or `both`. ")
            .append("The text is a short paraphrase; the specification is authoritative.\n");
        md.append("- [`conformance-notes.tsv`](conformance-notes.tsv): `id<TAB>reason` for statements that do not bind ")
            .append("Stratus (client obligations, and server duties whose condition never holds for Stratus).\n");
        md.append("- Every file under `*/src/test/java` and `*/src/main/java`, searched for statement ids.\n\n");
        md.append("To mark a test as checking a statement, cite the id in the test: in a `@DisplayName` ")
            .append("(`@DisplayName(\"[MQTT-3.1.2-24] closes an idle connection after 1.5 x keep alive\")`), in a comment ")
            .append("or assertion message inside the test method (`[MQTT-3.1.2-24]`), or in the method name ")
            .append("(`closesIdleConnection_MQTT_3_1_2_24()`). A citation belongs to the enclosing method; one in the ")
            .append("comments or annotations just above a method belongs to that method. It counts as coverage when the ")
            .append("method is a test (`@Test`, `@ParameterizedTest`, `@RepeatedTest`, `@TestFactory`, `@TestTemplate`, ")
            .append("jqwik `@Property`/`@Example`), or, at class level, when the class holds tests; citations in helpers ")
            .append("are listed in italics and do not count. In main code, cite `[MQTT-x.y.z-n]` in a comment next to the ")
            .append("code that implements it (`[MQTT-3.2.2-1..3]` cites a range).\n\n");
        md.append("In the tables, an id marked (both) binds both sides and (client) binds only the Client; an unmarked ")
            .append("id binds the Server.\n\n");
        md.append("Status: **tested** when at least one test cites the statement; **not applicable** with the reason ")
            .append("from the notes file; otherwise **NOT COVERED**. A citation is a claim, not a proof: review the ")
            .append("test when in doubt.\n\n");

    }

    /** The title and introduction of the MQTT 5.0 matrix, with the 5.0 citation convention. */
    static void header5(StringBuilder md) {
        md.append("# MQTT 5.0 conformance matrix\n\n");
        md.append("<!-- Generated by docs/Conformance.java. Do not edit by hand: edit the inputs and regenerate. -->\n\n");
        md.append("Every normative statement of MQTT Version 5.0 (OASIS Standard, 7 March 2019, ")
            .append("[Appendix B](https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html), ")
            .append("`[MQTT-1.5.4-1]` to `[MQTT-6.0.0-4]`), with the Stratus tests that check it and the code that ")
            .append("implements it. The MQTT 3.1.1 matrix is [conformance.md](conformance.md).\n\n");
        md.append("## Citing a 5.0 statement\n\n");
        md.append("MQTT 5.0 numbers its statements in the same form as MQTT 3.1.1, and the same id means different ")
            .append("things in the two versions: `MQTT-3.1.2-24` is the Server's Keep Alive timeout in 3.1.1 and the ")
            .append("Client's Maximum Packet Size, which the Server must respect, in 5.0. Stratus code therefore ")
            .append("cites a 5.0 statement with the ")
            .append("prefix `MQTT5-`, and a plain `MQTT-` id always means 3.1.1:\n\n");
        md.append("- in a `@DisplayName`, a comment or an assertion message: `[MQTT5-3.1.2-24]`;\n");
        md.append("- a range: `[MQTT5-3.2.2-1..3]`;\n");
        md.append("- in a method name: `oversizedPacketIsNotSent_MQTT5_3_1_2_24()`.\n\n");
        md.append("The tables below show the ids as the standard writes them (`MQTT-3.1.2-24`); each row's anchor is ")
            .append("the citation (`#mqtt5-3-1-2-24`). One statement is tagged `[MQTT-4.2-1]` in the body of the ")
            .append("standard and `MQTT-4.2.0-1` in Appendix B: the list uses Appendix B's id, and `[MQTT5-4.2-1]` ")
            .append("is accepted as a citation of it. Section 2.2.1 has no statement 1: its statements are ")
            .append("`MQTT-2.2.1-2` to `MQTT-2.2.1-6` in the standard itself.\n\n");
        md.append("## How this file is made\n\n");
        md.append("It is generated, together with [conformance.md](conformance.md); regenerate both from the ")
            .append("project root after adding or renaming tests:\n\n");
        md.append("```sh\njava docs/Conformance.java\n```\n\n");
        md.append("(Java 17, no build or dependencies needed.) The generator reads:\n\n");
        md.append("- [`mqtt-5.0-statements.tsv`](mqtt-5.0-statements.tsv): `id<TAB>who<TAB>text`, one line per ")
            .append("statement, with the ids of the standard. `who` says whom the statement binds: `server`, ")
            .append("`client`, or `both` (packet-format and flow rules that bind whichever side sends, and Client ")
            .append("rules the Server enforces on what it receives, e.g. as a Protocol Error under [MQTT-4.13.1-1]). ")
            .append("Server-side means `server` or `both`. The text is a short paraphrase; the specification is ")
            .append("authoritative.\n");
        md.append("- [`conformance-5-notes.tsv`](conformance-5-notes.tsv): `id<TAB>reason` for statements that do ")
            .append("not bind Stratus (client obligations, and server duties whose condition never holds for ")
            .append("Stratus).\n");
        md.append("- Every file under `*/src/test/java` and `*/src/main/java`, searched for `MQTT5-` and `MQTT5_` ")
            .append("citations.\n\n");
        md.append("A citation belongs to the enclosing method; one in the comments or annotations just above a method ")
            .append("belongs to that method. It counts as coverage when the method is a test (`@Test`, ")
            .append("`@ParameterizedTest`, `@RepeatedTest`, `@TestFactory`, `@TestTemplate`, jqwik ")
            .append("`@Property`/`@Example`), or, at class level, when the class holds tests; citations in helpers ")
            .append("are listed in italics and do not count. In main code, cite `[MQTT5-x.y.z-n]` in a comment ")
            .append("next to the code that implements it.\n\n");
        md.append("In the tables, an id marked (both) binds both sides and (client) binds only the Client; an ")
            .append("unmarked id binds the Server.\n\n");
        md.append("Status: **tested** when at least one test cites the statement; **not applicable** with the reason ")
            .append("from the notes file; otherwise **NOT COVERED**. Statements NOT COVERED are listed, and the ")
            .append("generator reports them without failing. A citation is a claim, not a proof: review the test ")
            .append("when in doubt.\n\n");
    }

    static String status(Statement s, Map<String, String> notes, Map<String, Set<Ref>> testRefs) {
        if (isTested(testRefs.get(s.id()))) {
            return "tested";
        }
        if (notes.containsKey(s.id())) {
            return "not applicable: " + notes.get(s.id());
        }
        return "NOT COVERED";
    }

    static String refs(Set<Ref> refs) {
        if (refs == null || refs.isEmpty()) {
            return "";
        }
        List<String> counted = new ArrayList<>();
        List<String> helpers = new ArrayList<>();
        for (Ref r : refs) {
            String link = "[" + cell(r.display()) + "](" + r.link() + ")";
            (r.test() ? counted : helpers).add(r.test() ? link : "_" + link + "_");
        }
        List<String> all = new ArrayList<>(counted);
        all.addAll(helpers);
        return String.join("<br>", all);
    }

    static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** The anchor of a statement's row: {@code mqtt-3-1-2-24} in the 3.1.1 matrix, {@code mqtt5-3-1-2-24} in 5.0. */
    static String anchor(Spec spec, String id) {
        return spec.anchorPrefix() + id.substring("MQTT-".length()).toLowerCase().replace('.', '-');
    }
}
