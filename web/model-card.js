// Renders models/MODEL_CARD.md (served as text/markdown at /model-card) with a small, safe Markdown
// subset: headings, paragraphs, lists, tables, code blocks, inline code, bold, links. Text only: no HTML
// from the file is ever interpreted.

function el(tag, text) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  return n;
}

function inline(parent, text) {
  const re = /(`[^`]+`|\*\*[^*]+\*\*|\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    const tok = m[0];
    if (tok.startsWith('`')) parent.append(el('code', tok.slice(1, -1)));
    else if (tok.startsWith('**')) parent.append(el('strong', tok.slice(2, -2)));
    else {
      const mm = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(tok);
      const a = el('a', mm[1]);
      if (/^(https?:|\/|#|\.)/.test(mm[2])) a.href = mm[2];
      parent.append(a);
    }
    last = m.index + tok.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
  return parent;
}

function cells(line) {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

export function render(md, root) {
  root.replaceChildren();
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const buf = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i])) buf.push(lines[i++]);
      i++;
      const pre = el('pre');
      pre.append(el('code', buf.join('\n')));
      root.append(pre);
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) { root.append(inline(el(`h${Math.min(6, h[1].length + 1)}`), h[2])); i++; continue; }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const table = el('table');
      const thead = el('thead');
      const tr = el('tr');
      for (const c of cells(line)) tr.append(inline(el('th'), c));
      thead.append(tr);
      table.append(thead);
      const tb = el('tbody');
      i += 2;
      while (i < lines.length && /^\s*\|/.test(lines[i])) {
        const r = el('tr');
        for (const c of cells(lines[i])) r.append(inline(el('td'), c));
        tb.append(r);
        i++;
      }
      table.append(tb);
      root.append(table);
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const list = el(ordered ? 'ol' : 'ul');
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) {
        let item = lines[i].replace(/^\s*([-*]|\d+\.)\s+/, '');
        i++;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*([-*]|\d+\.)\s+/.test(lines[i])) item += ' ' + lines[i++].trim();
        list.append(inline(el('li'), item));
      }
      root.append(list);
      continue;
    }
    if (line.trim() === '') { i++; continue; }
    const buf = [line];
    i++;
    while (i < lines.length && lines[i].trim() !== '' && !/^(#|```|\s*\||\s*([-*]|\d+\.)\s)/.test(lines[i])) buf.push(lines[i++]);
    root.append(inline(el('p'), buf.join(' ')));
  }
}

async function main() {
  const root = document.getElementById('card');
  const box = document.getElementById('card-error');
  try {
    const res = await fetch('/model-card', { headers: { accept: 'text/markdown' } });
    const text = await res.text();
    if (!res.ok) {
      let p = {};
      try { p = JSON.parse(text); } catch { p = { title: res.statusText, detail: text }; }
      box.append(el('strong', `${p.title || 'Error'} (${res.status})`), el('span', p.detail || ''));
      box.hidden = false;
      root.replaceChildren();
      root.dataset.state = 'error';
      return;
    }
    render(text, root);
    root.dataset.state = 'done';
  } catch (err) {
    box.append(el('strong', 'The model card could not be loaded'), el('span', String(err)));
    box.hidden = false;
    root.dataset.state = 'error';
  }
}

main();
