/**
 * The zombienet template renderer (issue 19): `{% for %}` ranges and defaults rendered with the
 * source's lines kept, templates in strings and comments left as written, the rest refused with
 * its line; the networks of ../shared/zombienet that use templates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import {
  type Rendered,
  renderTemplates,
  type TemplateError,
} from "../../src/config/zombienet/template.ts";

const SHARED = join(import.meta.dirname, "../../../shared/zombienet");

function rendered(source: string): Rendered {
  const r = renderTemplates(source);
  if (!r.ok) throw new Error(`refused: line ${r.error.line}: ${r.error.reason}`);
  return r.value;
}

function refused(source: string): TemplateError {
  const r = renderTemplates(source);
  if (r.ok) throw new Error(`rendered: ${r.value.text}`);
  return r.error;
}

describe("renderTemplates: loops", () => {
  it("leaves a file without templates as it is, line for line", () => {
    const source = "a = 1\n[t]\nb = 'x'\n";
    expect(rendered(source)).toEqual({ text: source, sourceLine: [1, 2, 3, 4] });
    expect(rendered("a = 1")).toEqual({ text: "a = 1", sourceLine: [1] });
  });

  it("repeats a body over range(3); tags alone on their lines vanish", () => {
    const source = "{% for i in range(3) %}\nx{{ i }} = {{i}}\n{% endfor %}\nend = 1\n";
    expect(rendered(source)).toEqual({
      text: "x0 = 0\nx1 = 1\nx2 = 2\nend = 1\n",
      sourceLine: [2, 2, 2, 4, 5],
    });
  });

  it("renders range(1, 7, 2) inline, the text around the tags kept", () => {
    const r = rendered("a = 0\nids = [{% for i in range(1, 7, 2) %}{{i}}, {% endfor %}]\n");
    expect(r).toEqual({ text: "a = 0\nids = [1, 3, 5, ]\n", sourceLine: [1, 2, 3] });
    expect(parse(r.text)).toEqual({ a: 0, ids: [1, 3, 5] });
  });

  it("counts down with a negative step, and an empty range drops its body", () => {
    const source =
      "v = [{% for i in range(2, -3, -2) %}{{i}},{% endfor %}]\n" +
      "{% for i in range(5, 2) %}\nnever = 1\n{% endfor %}\n" +
      "w = [{% for i in range(-1) %}{{i}}{% endfor %}]\n";
    expect(rendered(source).text).toBe("v = [2,0,-2,]\nw = []\n");
  });

  it("nests loops, renders loop variables inside strings, and scopes a shadowing variable", () => {
    const source = [
      "{% for a in range(2) %}",
      "{% for b in range(10, 12) %}",
      'p{{a}}_{{b}} = "{{a}}-{{ b }}-{{ OTHER }}"',
      "{% endfor %}",
      "{% endfor %}",
      "s = [{% for i in range(2) %}{% for i in range(5, 6) %}{{i}},{% endfor %}{{i}},{% endfor %}]",
    ].join("\n");
    expect(rendered(source)).toEqual({
      text:
        'p0_10 = "0-10-{{ OTHER }}"\np0_11 = "0-11-{{ OTHER }}"\n' +
        'p1_10 = "1-10-{{ OTHER }}"\np1_11 = "1-11-{{ OTHER }}"\n' +
        "s = [5,0,5,1,]",
      sourceLine: [3, 3, 3, 3, 6],
    });
  });

  it("refuses a for over anything but a range of integer literals, or a step of 0", () => {
    expect(refused('a = 1\n{% for n in ["a", "b"] %}\n{% endfor %}')).toEqual({
      line: 2,
      reason:
        '`{% for n in ["a", "b"] %}`: a `{% for %}` over something other than range(...) with integer literals',
    });
    expect(refused("{% for n in range(N) %}\n{% endfor %}").reason).toBe(
      "`{% for n in range(N) %}`: a `{% for %}` over something other than range(...) with integer literals",
    );
    expect(refused("{% for n in range(0, 4, 0) %}\n{% endfor %}")).toEqual({
      line: 1,
      reason: "`{% for n in range(0, 4, 0) %}`: range(...) with a step of 0",
    });
  });

  it("refuses loops that would repeat a body more than 10000 times", () => {
    expect(refused("{% for i in range(10001) %}{% endfor %}").reason).toBe(
      "`{% for i in range(10001) %}`: a range of 10001 values (at most 10000)",
    );
    expect(
      refused("{% for i in range(200) %}\n{% for j in range(51) %}\n{% endfor %}\n{% endfor %}"),
    ).toEqual({
      line: 2,
      reason: "`{% for j in range(51) %}`: loops repeating a body 10200 times (at most 10000)",
    });
  });

  it("refuses an endfor without its for, and a for without its endfor, at the tag's line", () => {
    expect(refused("a = 1\n{% endfor %}\n")).toEqual({
      line: 2,
      reason: "an `{% endfor %}` without its `{% for %}`",
    });
    expect(refused("{% for i in range(2) %}\n{% for j in range(2) %}\n{% endfor %}\n")).toEqual({
      line: 1,
      reason: "a `{% for %}` without its `{% endfor %}`",
    });
  });

  it("reads whitespace-control dashes as plain", () => {
    const source = "{%- for i in range(2) -%}\nn{{- i -}} = {{ N | default(7) -}}\n{%- endfor %}";
    expect(rendered(source).text).toBe("n0 = 7\nn1 = 7\n");
  });
});

describe("renderTemplates: variables", () => {
  it("renders a default of each literal kind as TOML, never the environment", () => {
    const source = [
      "a = {{ A | default(3) }}",
      "b = {{B|default(-1.50)}}",
      "c = {{ C | default(true) }}",
      "d = {{ D | default(False) }}",
      'e = {{ E | default(value="x y") }}',
      "f = {{ PATH | default('single') }}",
    ].join("\n");
    const r = rendered(source);
    expect(r.text).toBe('a = 3\nb = -1.5\nc = true\nd = false\ne = "x y"\nf = "single"');
    expect(parse(r.text)).toEqual({ a: 3, b: -1.5, c: true, d: false, e: "x y", f: "single" });
  });

  it("refuses a variable without a default, and any other expression, with its line", () => {
    expect(refused("a = 1\nb = {{ NODES }}\n")).toEqual({
      line: 2,
      reason:
        "`{{ NODES }}`: a variable without a default; parapipe does not read the environment (never guessed)",
    });
    expect(refused("n = {{ 1 + 2 }}")).toEqual({
      line: 1,
      reason:
        "`{{ 1 + 2 }}`: only a loop variable or `NAME | default(literal)` is rendered outside strings",
    });
    expect(refused("a = 1\n\nn = {{ X | upper }}").line).toBe(3);
    expect(refused("n = {{ X ")).toEqual({
      line: 1,
      reason: "a `{{` that does not close on its line",
    });
  });

  it("keeps templates inside quoted strings exactly as written", () => {
    const source = [
      'image = "{{ZOMBIENET_INTEGRATION_TEST_IMAGE}}"',
      "args = [\"--reserved-nodes {{'alice'|zombie('multiAddress')}}\", '{{ L | default(1) }}']",
      'esc = "a \\" {{ B }}"',
      's = """',
      "{{ X }} # {{ Y | upper }}",
      '"""',
    ].join("\n");
    expect(rendered(source)).toEqual({ text: source, sourceLine: [1, 2, 3, 4, 5, 6] });
  });

  it("leaves templates in a TOML comment alone, and removes nunjucks comments", () => {
    const source = "a = 1 # {{ NOT_SET }} and {{ X | upper }}\n# {{ Y }}\nb = 2 {# note #}\n";
    expect(rendered(source).text).toBe(
      "a = 1 # {{ NOT_SET }} and {{ X | upper }}\n# {{ Y }}\nb = 2 \n",
    );
  });
});

describe("renderTemplates: other tags", () => {
  it("refuses a {% set %}, and a {% if %} even in a comment or a string", () => {
    expect(refused("a = 1\n{% set x = 1 %}\n")).toEqual({
      line: 2,
      reason: "`{% set x = 1 %}`: only `{% for %}` over a range is rendered",
    });
    expect(refused("a = 1\n# {% if CI %}\nb = 2\n# {% endif %}")).toEqual({
      line: 2,
      reason:
        "`{% if CI %}` inside a string or a TOML comment: nunjucks runs it there too; only `{% for %}` over a range in the network's structure is rendered",
    });
    expect(refused('a = "{% raw %}"').line).toBe(1);
    expect(refused(`{% include "${"x".repeat(80)}" %}`).reason).toBe(
      `\`{% include "${"x".repeat(45)}...\`: only \`{% for %}\` over a range is rendered`,
    );
  });
});

describe.skipIf(!existsSync(SHARED))("renderTemplates: ../shared/zombienet", () => {
  const read = (name: string) => readFileSync(join(SHARED, name), "utf8");

  it("0001 renders its two parachains, the image templates kept, lines traced to the source", () => {
    const source = read("0001-basic-3cores-6s-blocks.toml");
    const { text, sourceLine } = rendered(source);
    expect(text).toContain("id = 2000\n");
    expect(text).toContain("id = 2001\n");
    expect(text).not.toContain("{%");
    expect(text).toContain('default_image = "{{ZOMBIENET_INTEGRATION_TEST_IMAGE}}"');
    expect(text.match(/image = "\{\{COL_IMAGE\}\}"/g)).toHaveLength(2);

    const doc = parse(text) as { parachains: { id: number; collator: { image: string } }[] };
    expect(doc.parachains.map((p) => p.id)).toEqual([2000, 2001]);
    expect(doc.parachains[1]!.collator.image).toBe("{{COL_IMAGE}}");

    const idLine = source.split("\n").indexOf("id = {{id}}") + 1;
    expect(idLine).toBe(33);
    const lines = text.split("\n");
    expect(sourceLine).toHaveLength(lines.length);
    expect(sourceLine[lines.indexOf("id = 2001")]).toBe(idLine);
    expect(sourceLine[lines.indexOf("id = 2000")]).toBe(idLine);
    // Lines after the loop keep their source line.
    expect(sourceLine[lines.indexOf("[types.Header]")]).toBe(
      source.split("\n").indexOf("[types.Header]") + 1,
    );
  });

  it("0011's with-jinja-if revision is refused at line 4, naming the {% if", () => {
    const error = refused(read("0011-async-backing-6-seconds-rate.with-jinja-if.toml"));
    expect(error.line).toBe(4);
    expect(error.reason).toBe(
      "`{% if not CI_JOB_ID %}`: only `{% for %}` over a range is rendered",
    );
  });

  it("leaves every network without a {% tag exactly as it is", () => {
    const plain = readdirSync(SHARED)
      .filter((f) => f.endsWith(".toml"))
      .map((f) => read(f))
      .filter((s) => !s.includes("{%"));
    expect(plain.length).toBeGreaterThan(5);
    for (const source of plain) expect(rendered(source).text).toBe(source);
  });
});
