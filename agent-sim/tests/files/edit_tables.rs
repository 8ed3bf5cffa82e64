//! The spec's edit-files tables (§6.1 `TestEditFiles*`, `TestFuzzyReplace_*`) through the real
//! router on both backends: each case is its own file; successes must leave exactly the
//! expected bytes and answer `{}`; failures answer 400 `edit <path>: <message>` with the
//! listed substrings (and without the forbidden ones) and leave the file untouched.

use crate::support::{Env, BOTH};
use serde_json::json;
use std::cell::RefCell;

const NOT_FOUND: &str = "search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation";

enum Expect {
    Content(String),
    Error { has: Vec<String>, not: Vec<String> },
}

struct Case {
    content: String,
    search: String,
    replace: String,
    all: bool,
    expect: Expect,
}

thread_local! {
    static CASES: RefCell<Vec<Case>> = const { RefCell::new(Vec::new()) };
}

fn push(c: &str, s: &str, r: &str, all: bool, expect: Expect) {
    CASES.with(|v| {
        v.borrow_mut().push(Case {
            content: c.into(),
            search: s.into(),
            replace: r.into(),
            all,
            expect,
        })
    });
}

fn ok(c: &str, s: &str, r: &str, all: bool, want: &str) {
    push(c, s, r, all, Expect::Content(want.into()));
}

fn err_case(c: &str, s: &str, r: &str, all: bool, has: &str) {
    push(
        c,
        s,
        r,
        all,
        Expect::Error {
            has: vec![has.into()],
            not: vec![],
        },
    );
}

fn hint_case(c: &str, s: &str, r: &str, has: &[&str], not: &[&str]) {
    let mut has: Vec<String> = has.iter().map(|h| h.to_string()).collect();
    has.push(NOT_FOUND.into());
    push(
        c,
        s,
        r,
        false,
        Expect::Error {
            has,
            not: not.iter().map(|h| h.to_string()).collect(),
        },
    );
}

#[allow(clippy::too_many_lines)]
fn collect() -> Vec<Case> {
    // ending_and_whitespace
    ok(
        "foo\r\nline\r\nbar\r\n",
        "line\n",
        "",
        false,
        "foo\r\nbar\r\n",
    );
    ok("foo\nline   \nbar\n", "line\n", "", false, "foo\nbar\n");
    ok(
        "foo\nfirst line\nbar\n",
        "first line",
        "LINE",
        false,
        "foo\nLINE\nbar\n",
    );
    ok("foo\nkey\nbar\n", "key ", "KEY ", false, "foo\nKEY\nbar\n");
    ok("foo\nbar", "bar", "BAR", false, "foo\nBAR");
    let crlf = "foo\r\n\tline\r\nbar\r\n";
    ok(
        crlf,
        "  line\n",
        "  LINE\n",
        false,
        "foo\r\n\tLINE\r\nbar\r\n",
    );
    ok(
        crlf,
        "       line\n",
        "       LINE\n",
        false,
        "foo\r\n\tLINE\r\nbar\r\n",
    );
    ok(
        crlf,
        "  line\n",
        "    LINE\n",
        false,
        "foo\r\n    LINE\r\nbar\r\n",
    );
    ok(
        "key\nkey\nother\n",
        "key ",
        "KEY ",
        true,
        "KEY\nKEY\nother\n",
    );
    ok(
        "line one\r\nother\r\nline one\r\n",
        "line one\n",
        "LINE\n",
        true,
        "LINE\r\nother\r\nLINE\r\n",
    );
    ok(
        "foo\nline\nbar\n",
        "line\n",
        "LINE",
        false,
        "foo\nLINEbar\n",
    );
    ok(
        "foo\n\tline\n\tbar\n",
        "\tline\n",
        "  line\n",
        false,
        "foo\n  line\n\tbar\n",
    );
    ok(
        "foo\n\tline\nbar\n",
        "    line\n",
        "    line\n    extra\n",
        false,
        "foo\n\tline\n\textra\nbar\n",
    );
    ok(
        "foo\nkeep\ndrop\nbar\n",
        "keep\ndrop\n",
        "keep\n",
        false,
        "foo\nkeep\nbar\n",
    );
    ok(
        "foo\r\nkey\r\nbar\r\n",
        "  key",
        "KEY",
        false,
        "foo\r\nKEY\r\nbar\r\n",
    );
    ok(
        "foo\nbar",
        "foo\nbar\n",
        "foo\nbaz\nqux\n",
        false,
        "foo\nbaz\nqux",
    );
    ok(
        "prefix\n  code  \nsuffix\n",
        "code\n",
        "\n",
        false,
        "prefix\n\nsuffix\n",
    );
    ok(
        "foo\nbar",
        "foo\nbar\n",
        "mid1\n\nmid2\n",
        false,
        "mid1\n\nmid2",
    );
    // ending_normalization
    ok(
        "line1\r\nline2\r\nline3\r\n",
        "line1\nline2\n",
        "line1\nINSERTED\nline2\n",
        false,
        "line1\r\nINSERTED\r\nline2\r\nline3\r\n",
    );
    ok(
        "alpha\r\nbeta\r\ngamma",
        "gamma",
        "gamma\ndelta\nepsilon",
        false,
        "alpha\r\nbeta\r\ngamma\r\ndelta\r\nepsilon",
    );
    ok(
            "package main\r\n\r\nfunc main() {\r\n\tprintln(\"hi\")\r\n}",
            "\tprintln(\"hi\")\n}",
            "\tprintln(\"hi\")\n\tprintln(\"bye\")\n\treturn\n}",
            false,
            "package main\r\n\r\nfunc main() {\r\n\tprintln(\"hi\")\r\n\tprintln(\"bye\")\r\n\treturn\r\n}",
        );
    ok(
        "one\ntwo\nthree\n",
        "one\r\ntwo\r\n",
        "ONE\r\nTWO\r\n",
        false,
        "ONE\nTWO\nthree\n",
    );
    ok(
        "a\r\nb\r\nc\r\n",
        "a\r\nb\r\n",
        "A\r\nB\r\n",
        false,
        "A\r\nB\r\nc\r\n",
    );
    ok(
        "key\r\nother\r\nkey\r\n",
        "key\n",
        "KEY\nEXTRA\n",
        true,
        "KEY\r\nEXTRA\r\nother\r\nKEY\r\nEXTRA\r\n",
    );
    ok(
        "x\r\ny\r\nz\r\n",
        "x\r\ny\r\n",
        "X\nY\n",
        false,
        "X\nY\nz\r\n",
    );
    ok(
        "a\r\nx\r\nb\r\n",
        "x",
        "X\nY",
        false,
        "a\r\nX\r\nY\r\nb\r\n",
    );
    ok("a\r\nx\r\nb\r\n", "x", "X", false, "a\r\nX\r\nb\r\n");
    // fuzzy_collapse_and_expansion
    ok(
        "\tone\n\ttwo\n\tthree\n\tafter\n",
        "    one\n    two\n    three\n",
        "    ONE\n    TWO\n",
        false,
        "\tONE\n\tTWO\n\tafter\n",
    );
    let content = "\tnameValidator := func(fl validator.FieldLevel) bool {\n\t\tf := fl.Field().Interface()\n\t\tstr, ok := f.(string)\n\t\tif !ok {\n\t\t\treturn false\n\t\t}\n\t\tvalid := codersdk.NameValid(str)\n\t\treturn valid == nil\n\t}\n";
    let search = "        f := fl.Field().Interface()\n        str, ok := f.(string)\n        if !ok {\n            return false\n        }\n        valid := codersdk.NameValid(str)";
    ok(
            content,
            search,
            "        f := fl.Field().Interface()\n        str, _ := f.(string)\n        valid := codersdk.NameValid(str)",
            false,
            "\tnameValidator := func(fl validator.FieldLevel) bool {\n\t\tf := fl.Field().Interface()\n\t\tstr, _ := f.(string)\n\t\tvalid := codersdk.NameValid(str)\n\t\treturn valid == nil\n\t}\n",
        );
    ok(
            content,
            search,
            "        f := fl.Field().Interface()\n        str, ok := f.(string)\n        if !ok {\n            log.Println(\"type assertion failed\")\n            return false\n        }\n        valid := codersdk.NameValid(str)",
            false,
            &content.replace("\t\t\treturn false\n", "\t\t\tlog.Println(\"type assertion failed\")\n\t\t\treturn false\n"),
        );
    // whitespace_and_line_endings
    let c = "\ttab indented line 1\n\ttab indented line 2\n    spaces line 3\n    spaces line 4\n\ttab indented line 5\n";
    ok(
        c,
        "\ttab indented line 1",
        "\ttab indented line 1 EDITED",
        false,
        &c.replacen("line 1", "line 1 EDITED", 1),
    );
    ok(
        "line with trailing spaces   \nno trailing ws\n",
        "line with trailing spaces",
        "line with trailing spaces EDITED",
        false,
        "line with trailing spaces EDITED   \nno trailing ws\n",
    );
    ok(
        "above\n\n\nbelow\n",
        "above\n\n\nbelow",
        "above\nbelow",
        false,
        "above\nbelow\n",
    );
    let c = "line one\r\nline two\r\nline three\r\n";
    ok(
        c,
        "line two",
        "line two EDITED",
        false,
        "line one\r\nline two EDITED\r\nline three\r\n",
    );
    ok(
        c,
        "line one\nline two\n",
        "line one EDITED\nline two EDITED\n",
        false,
        "line one EDITED\r\nline two EDITED\r\nline three\r\n",
    );
    ok(
        "no trailing newline",
        "no trailing newline",
        "no trailing newline EDITED",
        false,
        "no trailing newline EDITED",
    );
    ok(
        "\titem one\n\titem two\n",
        "  item one\n",
        "  item one EDITED\n",
        false,
        "\titem one EDITED\n\titem two\n",
    );
    // edit_files_table_contents
    ok("foo bar", "foo", "bar", false, "bar bar");
    ok(
        "foo\nbar\nbaz\nqux",
        "bar\nbaz",
        "frob",
        false,
        "foo\nfrob\nqux",
    );
    ok(
        "foo   \nbar\t\t\nbaz",
        "foo\nbar\nbaz",
        "replaced",
        false,
        "replaced   ",
    );
    ok(
        "\tif true {\n\t\tfoo()\n\t}",
        "    if true {\n        foo()\n    }",
        "\tif true {\n\t\tbar()\n\t}",
        false,
        "\tif true {\n\t\tbar()\n\t}",
    );
    ok(
        "\t\t\tdeep()\n\t\t\tnested()",
        "\tdeep()\n\tnested()",
        "\t\t\tdeep()\n\t\t\tchanged()",
        false,
        "\t\t\tdeep()\n\t\t\tchanged()",
    );
    ok(
        "hello world",
        "hello world",
        "goodbye world",
        false,
        "goodbye world",
    );
    ok(
        "foo bar foo baz foo",
        "foo",
        "qux",
        true,
        "qux bar qux baz qux",
    );
    ok(
        "hello   \nworld\nhello   \nagain",
        "hello\n",
        "bye\n",
        true,
        "bye   \nworld\nbye   \nagain",
    );
    ok(
        "\t\talpha\n\t\tbeta\n\t\talpha\n\t\tgamma",
        "    alpha\n",
        "\t\tREPLACED\n",
        true,
        "\t\tREPLACED\n\t\tbeta\n\t\tREPLACED\n\t\tgamma",
    );
    ok(
        "func main() {\n\tresult := compute()\n\tfmt.Println(result)\n}",
        "  result := compute()\n  fmt.Println(result)\n",
        "\tresult := compute()\n\tlog.Println(result)\n",
        false,
        "func main() {\n\tresult := compute()\n\tlog.Println(result)\n}",
    );
    ok(
            "package main\n\nfunc a() {\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\t\tif err != nil {\n\t\t\t\treturn err\n\t\t\t}\n}\n",
            "    if err != nil {\n        return err\n    }\n",
            "    if err != nil {\n        return fmt.Errorf(\"wrap: %w\", err)\n    }\n",
            true,
            "package main\n\nfunc a() {\n\t\tif err != nil {\n\t\t\treturn fmt.Errorf(\"wrap: %w\", err)\n\t\t}\n\t\t\tif err != nil {\n\t\t\t\treturn fmt.Errorf(\"wrap: %w\", err)\n\t\t\t}\n}\n",
        );
    // insertion_level_aware
    ok("func main() {\n\tfmt.Println(\"hello\")\n\tfmt.Println(\"world\")\n}\n", "    fmt.Println(\"hello\")\n    fmt.Println(\"world\")", "    fmt.Println(\"hello\")\n    if verbose {\n        fmt.Println(\"world\")\n    }", false, "func main() {\n\tfmt.Println(\"hello\")\n\tif verbose {\n\t\tfmt.Println(\"world\")\n\t}\n}\n");
    ok("function main() {\n  console.log('hello')\n  console.log('world')\n}\n", "    console.log('hello')\n    console.log('world')", "    console.log('hello')\n    if (verbose) {\n        console.log('world')\n    }", false, "function main() {\n  console.log('hello')\n  if (verbose) {\n    console.log('world')\n  }\n}\n");
    ok(
            "function transform(items) {\n  const results = [];\n  for (const item of items) {\n    if (item.valid) {\n      results.push(convert(item));\n    }\n  }\n  return results;\n}\n",
            "    const results = [];\n    for (const item of items) {\n        if (item.valid) {\n            results.push(convert(item));\n        }\n    }\n    return results;",
            "    const results = [];\n    for (const item of items) {\n        const result = convert(item);\n        if (!result) {\n            continue;\n        }\n        results.push(result);\n    }\n    return results;",
            false,
            "function transform(items) {\n  const results = [];\n  for (const item of items) {\n    const result = convert(item);\n        if (!result) {\n            continue;\n    }\n    results.push(result);\n  }\n  return results;\n}\n",
        );
    // insertion_level_aware_more
    ok("func main() {\n\tx := getValue()\n\tfmt.Println(x)\n}\n", "    x := getValue()", "    x, err := getValue()\n    if err != nil {\n        log.Fatal(err)\n    }", false, "func main() {\n\tx, err := getValue()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tfmt.Println(x)\n}\n");
    ok(
            "func loadConfig() (*Config, error) {\n\tvar cfg Config\n\terr = json.Unmarshal(data, &cfg)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\n\treturn &cfg, nil\n}\n",
            "    var cfg Config\n    err = json.Unmarshal(data, &cfg)\n    if err != nil {\n        return nil, err\n    }\n\n    return &cfg, nil",
            "    var cfg Config\n    err = json.Unmarshal(data, &cfg)\n    if err != nil {\n        return nil, fmt.Errorf(\"unmarshal: %w\", err)\n    }\n    if err := cfg.Validate(); err != nil {\n        return nil, fmt.Errorf(\"validate: %w\", err)\n    }\n\n    return &cfg, nil",
            false,
            "func loadConfig() (*Config, error) {\n\tvar cfg Config\n\terr = json.Unmarshal(data, &cfg)\n\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"unmarshal: %w\", err)\n\t}\n\tif err := cfg.Validate(); err != nil {\n\t\treturn nil, fmt.Errorf(\"validate: %w\", err)\n\t}\n\n\treturn &cfg, nil\n}\n",
        );
    let handler = |path: &str, body: &str| {
        format!("\thttp.HandleFunc(\"{path}\", func(w http.ResponseWriter, r *http.Request) {{\n{body}\t}})\n")
    };
    let before = "\t\tdata := readBody(r)\n\t\tprocess(data)\n";
    let after =
        "\t\tdata := readBody(r)\n\t\tif data == nil {\n\t\t\treturn\n\t\t}\n\t\tprocess(data)\n";
    ok(
            &format!("func handlers() {{\n{}{}}}\n", handler("/a", before), handler("/b", before)),
            "        data := readBody(r)\n        process(data)",
            "        data := readBody(r)\n        if data == nil {\n            return\n        }\n        process(data)",
            true,
            &format!("func handlers() {{\n{}{}}}\n", handler("/a", after), handler("/b", after)),
        );
    ok(
        "func main() {\n\tif condition {\n\t\tdoSomething()\n\t\tdoMore()\n\t}\n}\n",
        "    if condition {\n        doSomething()\n        doMore()\n    }",
        "    doSomething()\n    doMore()",
        false,
        "func main() {\n\tdoSomething()\n    doMore()\n}\n",
    );
    ok(
            "func transform(items []Item) []Result {\n\tvar results []Result\n\tfor _, item := range items {\n\t\tif item.Valid {\n\t\t\tresults = append(results, convert(item))\n\t\t}\n\t}\n\treturn results\n}\n",
            "    var results []Result\n    for _, item := range items {\n        if item.Valid {\n            results = append(results, convert(item))\n        }\n    }\n    return results",
            "    var results []Result\n    for _, item := range items {\n        result, err := convert(item)\n        if err != nil {\n            continue\n        }\n        results = append(results, result)\n    }\n    return results",
            false,
            "func transform(items []Item) []Result {\n\tvar results []Result\n\tfor _, item := range items {\n\t\tresult, err := convert(item)\n        if err != nil {\n            continue\n\t\t}\n\t\tresults = append(results, result)\n\t}\n\treturn results\n}\n",
        );
    // rejects
    for (c, s, r, all, want) in [
        ("hello\n", "", "X", false, "search string must not be empty"),
        ("hello\n", "", "X", true, "search string must not be empty"),
        ("a\na\na\nother\n", "a", "A", false, "matches 3 occurrences"),
        (
            "hello\nworld\n",
            "nonexistent\n",
            "X\n",
            false,
            "search string not found",
        ),
        (
            "hello\n",
            "Hello\n",
            "HELLO\n",
            false,
            "search string not found",
        ),
        (
            "above\n\n\nbelow\n",
            "above\nbelow\n",
            "above\nbelow\n",
            false,
            "search string not found",
        ),
        (
            "x\r\ny\r\nz\r\n",
            "x\ny\n",
            "X\r\nY\r\n",
            false,
            "search string not found",
        ),
        ("foo bar", "foo", "bar", false, ""),
    ] {
        if !want.is_empty() {
            err_case(c, s, r, all, want);
        }
    }
    // hints
    let swap = "Did you swap \"search\" and \"replace\"? Your replace string appears at line";
    let m = "matching block body of substantial length";
    let a20 = "A".repeat(20);
    let b20 = "B".repeat(20);
    hint_case(
        "package main\n\nfunc adder(a int, b int) int { return a + b }\n\n// trailing comment\n",
        "func adder(a, b int) int {\n\treturn a + b\n}\n",
        "func adder(a int, b int) int { return a + b }\n",
        &["Did you swap \"search\" and \"replace\"? Your replace string appears at line 3"],
        &[],
    );
    hint_case(
        &format!("a\n{m}\nb\n{m}\nc\n{m}\nd\n"),
        "this search text is absent from the file\n",
        &format!("{m}\n"),
        &[&format!("{swap} 2, 4, 6")],
        &["more"],
    );
    hint_case(
        &format!("{m}\n").repeat(7),
        "this search text is absent from the file\n",
        &format!("{m}\n"),
        &[&format!("{swap} 1, 2, 3, 4, 5 and 2 more")],
        &[],
    );
    hint_case(
        &format!("alpha\n{}gamma\n", "beta\n".repeat(7)),
        "missing line that does not occur anywhere\n",
        "beta\n",
        &[&format!("{swap} 2, 3, 4, 5, 6 and 2 more")],
        &[],
    );
    hint_case(
        &format!(
            "<header>\n{{/* SECTION HEADING {} */}}\n<body/>\n",
            "─".repeat(37)
        ),
        &format!("{{/* SECTION HEADING {} */}}\n", "─".repeat(32)),
        "{/* REPLACED */}\n",
        &["Your search has 32 \"─\" (U+2500); the file has 37 at line 2"],
        &[],
    );
    hint_case(
        "title\nsection =======\nbody\n",
        "section =====\n",
        "section *****\n",
        &["Your search has 5 \"=\" (U+003D); the file has 7 at line 2"],
        &[],
    );
    hint_case(
        "section =======\nsection ===\n",
        "section =====\n",
        "section *****\n",
        &["Your search has 5 \"=\" (U+003D); the file has 7 at line 1, 3 at line 2"],
        &["more"],
    );
    hint_case("section ==\nsection ===\nsection ======\nsection =======\nsection ========\nsection =========\n", "section =====\n", "section *****\n", &["Your search has 5 \"=\" (U+003D); the file has 2 at line 1, 3 at line 2, 6 at line 3, 7 at line 4, 8 at line 5 and 1 more"], &[]);
    hint_case(
        "first\na===b\nlast\n",
        "a=====b!\n",
        "unused\n",
        &[],
        &["Your search has", "the file has"],
    );
    hint_case(
        "package foo\n\nfunc bar() {}\n",
        "this content is wholly different from the file\n",
        "unused\n",
        &[],
        &["Your search has", "the file has"],
    );
    hint_case(&format!("<header>\n{{/* SECTION HEADING {} */}}\n<body>\ndoSomethingWithLongName(ctx)\n</body>\n", "─".repeat(8)), &format!("{{/* SECTION HEADING {} */}}\n", "─".repeat(6)), "doSomethingWithLongName(ctx)\n", &["Your search has 6 \"─\" (U+2500); the file has 8 at line 2"], &["swap", "appears at line"]);
    hint_case(
        &format!("prefix\n{a20} {a20} {a20}\nsuffix\n"),
        "absent search line not in file at all\n",
        &format!("{a20}\n"),
        &[&format!("{swap} 2")],
        &["line 2, 2", "more"],
    );
    hint_case(
        "preamble\nM   \ntrailer\n",
        "absent search line not in file at all\n",
        "M\n",
        &[&format!("{swap} 2")],
        &[],
    );
    hint_case(
        "preamble\n\t\tM\ntrailer\n",
        "absent search line not in file at all\n",
        "M\n",
        &[&format!("{swap} 2")],
        &[],
    );
    hint_case(
        "first\nxa\nlast\n",
        "xab\n",
        "unused\n",
        &[],
        &["Your search has", "the file has"],
    );
    hint_case(
        "section ==\ndivider ++\nline ##\nheader @@\n",
        "section ====\ndivider ++++\nline ####\nheader @@@@\n",
        "unused\n",
        &[
            "Your search has 4 \"=\" (U+003D)",
            "Your search has 4 \"+\" (U+002B)",
            "Your search has 4 \"#\" (U+0023)",
            "and 1 more",
        ],
        &["\"@\""],
    );
    hint_case(
        &format!("{a20}\n{b20}\n{a20}\n{b20}\n{a20}\n"),
        "absent search line not in file at all\n",
        &format!("{a20}\n{b20}\n{a20}\n"),
        &[&format!("{swap} 1, 3")],
        &["more"],
    );
    hint_case(
        "section ==bb\n",
        "section ==\n",
        "section --\n",
        &["Your search has 0 \"b\" (U+0062); the file has 2 at line 1"],
        &[],
    );
    hint_case(
        "package foo\n\nfunc bar() {}\n",
        "func zzzz() {}\n",
        "new\n",
        &[],
        &["swap", "Your search has", "appears at line"],
    );
    // whitespace_and_line_endings / edit files table / rejects: the failures.
    err_case(
        "above\n\n\nbelow\n",
        "above\nbelow",
        "above\nbelow",
        false,
        "search string not found",
    );
    err_case("foo bar foo baz foo", "foo", "qux", false, "search string matches 3 occurrences (expected exactly 1). Include more surrounding context to make the match unique, or set replace_all to true");
    err_case("x\r\ny\r\nz\r\n", "x\ny\n", "X\r\nY\r\n", false, "search string not found in file. Verify the search string matches the file content exactly, including whitespace, indentation, and line endings");
    err_case(
        "title\nsection =======\nbody\n",
        "section =====\n",
        "x",
        false,
        &format!("{NOT_FOUND}. Your search has 5 \"=\" (U+003D); the file has 7 at line 2"),
    );
    CASES.with(|v| std::mem::take(&mut *v.borrow_mut()))
}

#[tokio::test]
async fn edit_tables_through_the_router() {
    let cases = collect();
    assert!(cases.len() > 60, "{} cases", cases.len());
    for b in BOTH {
        let env = Env::new(b, &[]);
        for (i, case) in cases.iter().enumerate() {
            let path = format!("/tmp/case{i}");
            let r = env
                .post(
                    &format!("/api/v0/write-file?path={path}"),
                    case.content.clone(),
                )
                .await;
            assert_eq!(r.status, 200);
            let r = env
                .edit(json!({"files":[{"path": path, "edits":[{"search": case.search, "replace": case.replace, "replace_all": case.all}]}]}))
                .await;
            match &case.expect {
                Expect::Content(want) => {
                    assert_eq!(r.text(), "{}\n", "case {i} on {b:?}");
                    env.assert_content(&path, want);
                }
                Expect::Error { has, not } => {
                    assert_eq!(r.status, 400, "case {i} on {b:?}: {}", r.text());
                    let m = r.json()["message"].as_str().unwrap().to_string();
                    assert!(m.starts_with(&format!("edit {path}: ")), "case {i}: {m}");
                    for h in has {
                        assert!(m.contains(h.as_str()), "case {i}: missing {h:?} in {m:?}");
                    }
                    for h in not {
                        assert!(
                            !m.contains(h.as_str()),
                            "case {i}: unexpected {h:?} in {m:?}"
                        );
                    }
                    env.assert_content(&path, &case.content);
                }
            }
        }
        assert!(env.names("/tmp").iter().all(|n| !n.contains(".tmp.")));
    }
}
