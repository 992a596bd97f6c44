import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderSvg } from '../../src/report/svg.js';
import { TsprofError } from '../../src/errors.js';

/** The DOT graph `go tool pprof -dot cpu.pb.gz` printed for the shared Go CPU fixture. */
const goldenDot = readFileSync(new URL('../../../test/fixtures/go/golden/cpu_dot.txt', import.meta.url), 'utf8');

/** xmlText escapes a DOT label line the way it must appear as SVG text. */
function xmlText(line: string): string {
  return line.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * assertWellFormedXml checks what a browser's XML parser would reject: every
 * element closed in order, no stray `<` or `&` outside markup, quoted
 * attributes. Node has no XML parser, so this tokenizes the document itself.
 */
function assertWellFormedXml(xml: string): void {
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt === -1 ? xml.length : lt);
    for (const amp of text.matchAll(/&/g)) {
      const entity = text.slice(amp.index).match(/^&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/);
      assert.ok(entity, `bare & in text near ${JSON.stringify(text.slice(amp.index, amp.index + 20))}`);
    }
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      at = xml.indexOf('-->', lt) + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      at = xml.indexOf(']]>', lt) + 3;
    } else if (xml.startsWith('<?', lt)) {
      at = xml.indexOf('?>', lt) + 2;
    } else if (xml.startsWith('<!DOCTYPE', lt)) {
      at = xml.indexOf('>', lt) + 1;
    } else {
      const tag = xml.slice(lt).match(/^<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/);
      assert.ok(tag, `malformed tag near ${JSON.stringify(xml.slice(lt, lt + 60))}`);
      const [whole, closing, name, , selfClosing] = tag;
      if (closing) {
        assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
      } else if (!selfClosing) {
        if (open.length === 0) roots++;
        open.push(name!);
      } else if (open.length === 0) {
        roots++;
      }
      at = lt + whole.length;
    }
    assert.ok(at > lt, 'unterminated markup');
  }
  assert.deepEqual(open, [], 'elements left open');
  assert.equal(roots, 1, 'one root element');
}

test('renderSvg draws every node and edge of pprof\'s own DOT graph, with its labels', async () => {
  const svg = await renderSvg(goldenDot);
  assertWellFormedXml(svg);
  assert.match(svg, /<svg width="100%" height="100%"\s+viewBox="[\d. ]+"/);

  const nodeLabels = [...goldenDot.matchAll(/^N\d+ \[label="([^"]*)"/gm)].map((m) => m[1]!);
  assert.ok(nodeLabels.length >= 5, 'the golden graph has nodes');
  // Plus one for the legend box that holds the header lines.
  assert.equal((svg.match(/<g id="node\d+" class="node">/g) ?? []).length, nodeLabels.length + 1);
  for (const label of nodeLabels) {
    for (const line of label.split(/\\n/).filter((l) => l !== '')) {
      assert.ok(svg.includes(`>${xmlText(line)}</text>`), `label line ${JSON.stringify(line)} drawn`);
    }
  }
  const edges = goldenDot.match(/^N\d+ -> N\d+/gm) ?? [];
  assert.ok(edges.length > 0);
  assert.equal((svg.match(/class="edge"/g) ?? []).length, edges.length);
  // The legend box with the profile's header lines.
  assert.ok(svg.includes('>File: fetcher</text>'));
  assert.ok(svg.includes('>Type: cpu</text>'));
});

test('renderSvg escapes labels with XML specials into well-formed SVG', async () => {
  const svg = await renderSvg('digraph "g" { N1 [label="operator<<&\\nvector<int>"]; N2 [label="a & b;"]; N1 -> N2 [label=" 10ms"] }');
  assertWellFormedXml(svg);
  assert.ok(svg.includes('>operator&lt;&lt;&amp;</text>'));
  assert.ok(svg.includes('>vector&lt;int&gt;</text>'));
  assert.ok(svg.includes('> 10ms</text>'));
});

test('renderSvg reports a DOT syntax error as one clear line', async () => {
  await assert.rejects(renderSvg('digraph { N1 -> ; }'), (err: unknown) => {
    assert.ok(err instanceof TsprofError);
    assert.equal(err.exitCode, 1);
    assert.match(err.message, /^svg: invalid DOT graph: syntax error in line 1 near ';'$/);
    return true;
  });
  await assert.rejects(renderSvg('  \n'), /^TsprofError: svg: the DOT graph is empty$/);
  // The module stays usable after an error.
  assert.match(await renderSvg('digraph { a -> b }'), /<title>a&#45;&gt;b<\/title>/);
});
