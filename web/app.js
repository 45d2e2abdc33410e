// llm-provenance page: plain JavaScript, no framework, no network access beyond this server.
// Every value from the API or the user is put in the page with textContent, never as HTML.

const ROLE_NAMES = {
  human_author: 'Human author',
  llm_creator: 'LLM creator',
  llm_polisher: 'LLM polisher',
  llm_extender: 'LLM extender',
};
const ROLE_ORDER = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'];

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export function pct(p, digits = 1) {
  if (typeof p !== 'number' || !Number.isFinite(p)) return '–';
  return `${(p * 100).toFixed(digits)}%`;
}

function fmt(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// ---------- API ----------

class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

function apiKey() {
  const input = $('api-key');
  return input ? input.value.trim() : '';
}

async function api(method, path, body) {
  let res;
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (apiKey()) headers['x-api-key'] = apiKey();
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError({ title: 'The service could not be reached', detail: String(err && err.message ? err.message : err), status: 0 }, 0);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? data : { title: res.statusText || 'Request failed', detail: text.slice(0, 500) };
    if (problem.status === undefined) problem.status = res.status;
    const retry = res.headers.get('retry-after');
    if (retry) problem.retry_after = retry;
    throw new ApiError(problem, res.status);
  }
  return data;
}

function showError(box, err) {
  box.replaceChildren();
  const p = err instanceof ApiError ? err.problem : { title: 'Something went wrong', detail: String(err && err.message ? err.message : err) };
  const status = err instanceof ApiError && err.status ? ` (${err.status})` : '';
  box.append(el('strong', { text: `${p.title || 'Error'}${status}` }));
  if (p.detail) box.append(el('span', { class: 'detail', text: p.detail }));
  if (Array.isArray(p.errors) && p.errors.length) {
    const ul = el('ul');
    for (const e of p.errors) ul.append(el('li', { text: `${e.path ?? ''}${e.path ? ': ' : ''}${e.message ?? ''}` }));
    box.append(ul);
  }
  if (p.retry_after) box.append(el('div', { class: 'small', text: `Try again in ${p.retry_after} s.` }));
  box.dataset.status = String(err instanceof ApiError ? err.status : 0);
  box.hidden = false;
}

function hideError(box) {
  box.hidden = true;
  box.replaceChildren();
}

// ---------- tabs (WAI-ARIA tabs pattern, automatic activation) ----------

function setupTabs() {
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  function select(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === 'tab-judgments') loadRubrics();
    history.replaceState(null, '', tab.id === 'tab-judgments' ? '#judgments' : '#text');
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (e) => {
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
      else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
      else if (e.key === 'Home') j = 0;
      else if (e.key === 'End') j = tabs.length - 1;
      if (j !== null) { e.preventDefault(); select(tabs[j], true); }
    });
  });
  if (location.hash === '#judgments') select($('tab-judgments'), false);
}

// ---------- text tab ----------

// as the service counts (src/features/words.ts): runs between spaces, and words by Intl.Segmenter in scripts
// written without spaces (Chinese, Japanese, Thai, ...)
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
let wordSegmenter = null;
function countWords(s) {
  const runs = s.match(/\S+/g) || [];
  let n = 0;
  for (const r of runs) {
    if (!NO_SPACE_SCRIPT.test(r) || typeof Intl.Segmenter !== 'function') { n++; continue; }
    wordSegmenter = wordSegmenter || new Intl.Segmenter('und', { granularity: 'word' });
    let k = 0;
    for (const seg of wordSegmenter.segment(r)) if (seg.isWordLike) k++;
    n += Math.max(1, k);
  }
  return n;
}

function setupTextInput() {
  const ta = $('text-input');
  const update = () => { const n = countWords(ta.value); $('text-count').textContent = `${n} word${n === 1 ? '' : 's'}`; };
  ta.addEventListener('input', update);
  ta.addEventListener('dragover', (e) => { e.preventDefault(); ta.classList.add('dragover'); });
  ta.addEventListener('dragleave', () => ta.classList.remove('dragover'));
  ta.addEventListener('drop', async (e) => {
    ta.classList.remove('dragover');
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) {
      e.preventDefault();
      ta.value = await file.text();
      update();
    }
  });
  $('text-file').addEventListener('change', async (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) { ta.value = await file.text(); update(); }
  });
  $('text-clear').addEventListener('click', () => {
    ta.value = '';
    update();
    $('text-result').hidden = true;
    hideError($('text-error'));
    ta.focus();
  });
  update();
}

async function analyzeText(e) {
  e.preventDefault();
  const text = $('text-input').value;
  const errBox = $('text-error');
  hideError(errBox);
  if (!text.trim()) {
    showError(errBox, new ApiError({ title: 'Nothing to analyze', detail: 'Paste or drop a text first.', errors: [{ path: '/text', message: 'is empty' }] }, 0));
    $('text-input').focus();
    return;
  }
  const btn = $('analyze-btn');
  btn.disabled = true;
  $('text-status').textContent = 'Analyzing…';
  try {
    const result = await api('POST', '/v1/text/analyze', { text, tasks: ['role', 'involvement'], segments: true, explain: true });
    renderText(text, result);
    $('text-status').textContent = 'Done.';
  } catch (err) {
    $('text-result').hidden = true;
    showError(errBox, err);
    $('text-status').textContent = '';
  } finally {
    btn.disabled = false;
  }
}

function renderBars(container, entries, top) {
  container.replaceChildren();
  for (const { key, name, value } of entries) {
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
    const row = el('div', {
      class: `bar-row${key === top ? ' top' : ''}`, role: 'listitem', 'data-role': key, 'data-value': String(value),
      'aria-label': `${name}: ${pct(value)}`,
    },
    el('span', { class: 'name', text: name }),
    el('span', { class: 'track', 'aria-hidden': 'true' }, fill),
    el('span', { class: 'value', text: pct(value) }));
    container.append(row);
  }
}

// Point on the gauge's half circle for a value in [0, 1] (0 = left, 1 = right).
function gaugePoint(v, r, cx = 100, cy = 100) {
  const a = Math.PI * (1 - Math.max(0, Math.min(1, v)));
  return [cx + r * Math.cos(a), cy - r * Math.sin(a)];
}

function arcPath(v0, v1, r) {
  const [x0, y0] = gaugePoint(v0, r);
  const [x1, y1] = gaugePoint(v1, r);
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${r} ${r} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

function renderGauge(container, inv) {
  container.replaceChildren();
  const { ratio, interval, coverage } = inv;
  const [lo, hi] = Array.isArray(interval) ? interval : [ratio, ratio];
  const s = svg('svg', {
    viewBox: '0 0 200 125', role: 'img', 'data-ratio': ratio, 'data-lo': lo, 'data-hi': hi,
    'aria-label': `Involvement ratio ${pct(ratio)}, interval ${pct(lo)} to ${pct(hi)} with ${pct(coverage, 0)} coverage`,
  });
  s.append(svg('path', { class: 'track', d: arcPath(0, 1, 80) }));
  if (hi > lo) s.append(svg('path', { class: 'band', d: arcPath(lo, hi, 80), 'data-testid': 'gauge-band' }));
  const [nx, ny] = gaugePoint(ratio, 70);
  s.append(svg('line', { class: 'needle', x1: 100, y1: 100, x2: nx.toFixed(2), y2: ny.toFixed(2), 'data-testid': 'gauge-needle' }));
  s.append(svg('circle', { class: 'hub', cx: 100, cy: 100, r: 5 }));
  const t0 = svg('text', { x: 20, y: 116, 'text-anchor': 'middle' }); t0.textContent = '0%';
  const t1 = svg('text', { x: 180, y: 116, 'text-anchor': 'middle' }); t1.textContent = '100%';
  const big = svg('text', { x: 100, y: 122, 'text-anchor': 'middle', class: 'big' }); big.textContent = pct(ratio, 0);
  s.append(t0, t1, big);
  container.append(s);
}

let tip = null;
function showTip(target) {
  if (!tip) { tip = el('div', { id: 'seg-tip', role: 'presentation' }); document.body.append(tip); }
  tip.textContent = `AI probability ${pct(Number(target.dataset.p))}`;
  const r = target.getBoundingClientRect();
  tip.style.left = `${Math.max(4, Math.min(window.innerWidth - 160, r.left))}px`;
  tip.style.top = `${Math.max(4, r.top - 30)}px`;
  tip.hidden = false;
}
function hideTip() { if (tip) tip.hidden = true; }

function renderShaded(container, text, segments) {
  container.replaceChildren();
  if (!Array.isArray(segments) || segments.length === 0) {
    container.append(document.createTextNode(text));
    return;
  }
  let pos = 0;
  segments.forEach((seg, i) => {
    const start = Math.max(pos, seg.start);
    const end = Math.min(text.length, seg.end);
    if (start > pos) container.append(document.createTextNode(text.slice(pos, start)));
    if (end <= start) return;
    const p = seg.ai_probability;
    const label = `Passage ${i + 1} of ${segments.length}: AI probability ${pct(p)}`;
    const span = el('span', {
      class: 'seg', tabindex: 0, title: `AI probability ${pct(p)}`, 'aria-label': label,
      'data-p': String(p), 'data-start': seg.start, 'data-end': seg.end,
    });
    span.textContent = text.slice(start, end);
    span.style.setProperty('--p', String(Math.max(0, Math.min(1, p))));
    span.addEventListener('mouseenter', () => showTip(span));
    span.addEventListener('focus', () => showTip(span));
    span.addEventListener('mouseleave', hideTip);
    span.addEventListener('blur', hideTip);
    container.append(span);
    pos = end;
  });
  if (pos < text.length) container.append(document.createTextNode(text.slice(pos)));
}

function renderExplanation(tbody, explanation) {
  tbody.replaceChildren();
  const rows = Array.isArray(explanation) ? explanation.slice(0, 12) : [];
  if (!rows.length) {
    tbody.append(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'No explanation returned.' })));
    return;
  }
  const maxAbs = Math.max(...rows.map((r) => Math.abs(r.contribution) || 0), 1e-9);
  for (const r of rows) {
    const bar = el('span', { class: `contrib ${r.contribution >= 0 ? 'pos' : 'neg'}`, 'aria-hidden': 'true' });
    bar.style.width = `${(Math.abs(r.contribution) / maxAbs) * 4}rem`;
    tbody.append(el('tr', { 'data-feature': r.feature },
      el('td', { text: r.feature }),
      el('td', { class: 'num', text: fmt(r.value) }),
      el('td', { class: 'num' }, `${r.contribution >= 0 ? '+' : ''}${fmt(r.contribution)}`, bar)));
  }
}

function renderWarnings(ul, warnings) {
  ul.replaceChildren();
  if (!Array.isArray(warnings) || warnings.length === 0) {
    ul.append(el('li', { class: 'none', text: 'None.' }));
    return;
  }
  for (const w of warnings) ul.append(el('li', { text: w }));
}

function renderText(text, r) {
  const out = $('text-result');
  out.dataset.response = JSON.stringify(r);
  if (r.role) {
    $('role-label').textContent = ROLE_NAMES[r.role.label] || r.role.label;
    $('role-label').dataset.role = r.role.label;
    $('role-confidence').textContent = `${r.role.confidence} confidence`;
    const probs = r.role.probabilities || {};
    const keys = [...ROLE_ORDER.filter((k) => k in probs), ...Object.keys(probs).filter((k) => !ROLE_ORDER.includes(k))];
    renderBars($('role-chart'), keys.map((k) => ({ key: k, name: ROLE_NAMES[k] || k, value: probs[k] })), r.role.label);
  } else {
    $('role-label').textContent = 'not requested';
    $('role-chart').replaceChildren();
  }
  if (r.involvement) {
    renderGauge($('gauge'), r.involvement);
    const [lo, hi] = r.involvement.interval;
    $('inv-text').textContent = `About ${pct(r.involvement.ratio, 0)} of the text's wording is the model's ` +
      `(between ${pct(lo, 0)} and ${pct(hi, 0)}, ${pct(r.involvement.coverage, 0)} interval).`;
  } else {
    $('gauge').replaceChildren();
    $('inv-text').textContent = '';
  }
  $('ai-prob').textContent = pct(r.ai_probability);
  $('ai-prob').dataset.value = String(r.ai_probability);
  const lang = r.language;
  $('language').textContent = !lang
    ? ''
    : lang.code === 'und'
      ? 'Language: could not be determined'
      : `Language: ${lang.code} (score ${lang.confidence.toFixed(2)})${lang.uncertain ? ', uncertain (too few words to tell)' : ''}${lang.supported === false ? ', not one the models were trained on' : ''}`;
  $('language').dataset.supported = lang && typeof lang.supported === 'boolean' ? String(lang.supported) : '';
  const d = r.decision;
  $('decision').textContent = !d
    ? ''
    : d.applicable === false
      ? `No decision: not applicable to this text (${d.reason === 'unsupported_language' ? 'its language is not one the models know' : d.reason})`
      : `${d.flagged ? 'Flagged' : 'Not flagged'} as LLM-involved at a ${pct(d.max_false_positive_rate, 0)} false-positive rate (threshold ${pct(d.threshold)})`;
  $('decision').dataset.flagged = d ? String(d.flagged) : '';
  renderShaded($('shaded'), text, r.segments);
  renderWarnings($('warnings'), r.warnings);
  renderExplanation($('explain-body'), r.explanation);
  const u = r.usage || {};
  const m = r.model || {};
  $('text-meta').textContent = `${u.characters ?? '?'} characters, ${u.tokens ?? '?'} tokens, ${u.windows ?? '?'} window(s) · model ${m.id ?? '?'} ${m.version ?? ''}`;
  out.hidden = false;
}

// ---------- judgments tab ----------

let rubrics = null;
let rubricsLoading = null;

function currentRubric() {
  const id = $('rubric-select').value;
  return (rubrics || []).find((r) => r.id === id) || null;
}

async function loadRubrics() {
  if (rubrics || rubricsLoading) return rubricsLoading;
  const box = $('rubric-error');
  rubricsLoading = (async () => {
    try {
      const data = await api('GET', '/v1/judgments/rubrics');
      const list = Array.isArray(data) ? data : (data && (data.rubrics || data.items)) || [];
      rubrics = list;
      hideError(box);
      const sel = $('rubric-select');
      sel.replaceChildren(...list.map((r) => el('option', { value: r.id, text: r.id })));
      if (!list.length) showError(box, new ApiError({ title: 'No rubrics', detail: 'The service has no judgment models loaded.' }, 0));
      onRubricChange();
    } catch (err) {
      showError(box, err);
    } finally {
      rubricsLoading = null;
    }
  })();
  return rubricsLoading;
}

function judgmentFieldset(rubric, index) {
  const fs = el('fieldset', { class: 'judgment', 'data-index': index });
  fs.append(el('legend', { text: `Judgment ${index + 1}` }));
  const fields = Array.isArray(rubric.candidate_fields) ? rubric.candidate_fields : [];
  if (fields.length) {
    const cands = el('div', { class: 'cands' });
    for (const f of fields) {
      const id = `cand-${index}-${f}`;
      cands.append(el('label', { for: id, text: `Candidate ${f}` }), el('textarea', { id, rows: 3, 'data-field': f }));
    }
    fs.append(cands);
  }
  const dims = el('div', { class: 'dims' });
  for (const d of rubric.dimensions || []) {
    const id = `dim-${index}-${d.name}`;
    const integer = d.integer === true;
    dims.append(el('div', {},
      el('label', { for: id, text: `${d.name} (${d.min}–${d.max})` }),
      el('input', { id, type: 'number', min: d.min, max: d.max, step: integer ? 1 : 'any', required: true, inputmode: integer ? 'numeric' : 'decimal', 'data-dim': d.name })));
  }
  fs.append(dims);
  if (index > 0) {
    const rm = el('button', { type: 'button', text: `Remove judgment ${index + 1}` });
    rm.addEventListener('click', () => { fs.remove(); renumber(); });
    fs.append(el('div', { class: 'row' }, rm));
  }
  return fs;
}

function renumber() {
  document.querySelectorAll('#judgment-list fieldset.judgment').forEach((fs, i) => {
    fs.dataset.index = String(i);
    fs.querySelector('legend').textContent = `Judgment ${i + 1}`;
  });
}

function onRubricChange() {
  const r = currentRubric();
  $('judgment-list').replaceChildren();
  $('judgment-result').hidden = true;
  hideError($('judgment-error'));
  if (!r) { $('rubric-desc').textContent = ''; $('bias-card').hidden = true; return; }
  const dimText = (r.dimensions || []).map((d) => `${d.name} ${d.min}–${d.max}`).join(', ');
  $('rubric-desc').textContent = `${r.description || ''}${r.description ? ' · ' : ''}dimensions: ${dimText}` +
    (r.candidate_fields && r.candidate_fields.length ? ` · candidate: ${r.candidate_fields.join(', ')}` : ' · scores only');
  $('judgment-list').append(judgmentFieldset(r, 0));
  const example = { rubric: r.id, judgments: [{ ...(r.candidate_fields && r.candidate_fields.length ? { candidate: Object.fromEntries(r.candidate_fields.map((f) => [f, '…'])) } : {}), scores: Object.fromEntries((r.dimensions || []).map((d) => [d.name, d.min])) }] };
  $('json-input').placeholder = JSON.stringify(example, null, 2);
  renderBias(r);
}

function renderTableFromObjects(container, rows) {
  container.replaceChildren();
  if (!Array.isArray(rows) || rows.length === 0) {
    container.append(el('p', { class: 'muted', text: 'None reported.' }));
    return;
  }
  const keys = [];
  for (const row of rows) for (const k of Object.keys(row || {})) if (!keys.includes(k)) keys.push(k);
  const table = el('table');
  table.append(el('thead', {}, el('tr', {}, ...keys.map((k) => el('th', { scope: 'col', text: k })))));
  const tb = el('tbody');
  for (const row of rows) {
    tb.append(el('tr', {}, ...keys.map((k) => cell(row[k]))));
  }
  table.append(tb);
  container.append(table);
}

// A table cell; nested objects (e.g. per-feature weights) fold into a details element.
function cell(v) {
  if (v && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    const d = el('details', { class: 'nested' }, el('summary', { text: `${entries.length} value${entries.length === 1 ? '' : 's'}` }));
    const ul = el('ul');
    for (const [k, x] of entries) ul.append(el('li', { text: `${k}: ${fmt(x)}` }));
    d.append(ul);
    return el('td', {}, d);
  }
  return el('td', { class: typeof v === 'number' ? 'num' : '', text: fmt(v) });
}

function renderBias(r) {
  $('bias-card').hidden = false;
  renderTableFromObjects($('bias'), r.bias);
  const metrics = r.metrics && typeof r.metrics === 'object' ? r.metrics : {};
  renderTableFromObjects($('metrics'), Object.entries(flatten(metrics)).map(([metric, value]) => ({ metric, value })));
}

function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

function collectForm(r) {
  const judgments = [];
  const problems = [];
  document.querySelectorAll('#judgment-list fieldset.judgment').forEach((fs, i) => {
    const j = { scores: {} };
    const cands = fs.querySelectorAll('textarea[data-field]');
    if (cands.length) {
      j.candidate = {};
      cands.forEach((ta) => { j.candidate[ta.dataset.field] = ta.value; });
    }
    fs.querySelectorAll('input[data-dim]').forEach((inp) => {
      if (inp.value.trim() === '') problems.push({ path: `/judgments/${i}/scores/${inp.dataset.dim}`, message: 'is required' });
      else j.scores[inp.dataset.dim] = Number(inp.value);
    });
    judgments.push(j);
  });
  return { body: { rubric: r.id, judgments, explain: true }, problems };
}

function collectJson(r) {
  const raw = $('json-input').value.trim();
  let parsed;
  try { parsed = JSON.parse(raw); } catch (err) {
    return { problems: [{ path: '/', message: `not valid JSON: ${err.message}` }] };
  }
  if (Array.isArray(parsed)) parsed = { judgments: parsed };
  if (!parsed || typeof parsed !== 'object') return { problems: [{ path: '/', message: 'expected an object or an array' }] };
  if (!Array.isArray(parsed.judgments) && parsed.scores) parsed = { rubric: parsed.rubric, judgments: [{ candidate: parsed.candidate, scores: parsed.scores }] };
  const body = { ...parsed, rubric: parsed.rubric || (r && r.id), explain: true };
  return { body, problems: [] };
}

async function detectJudgments(e) {
  e.preventDefault();
  const errBox = $('judgment-error');
  hideError(errBox);
  const r = currentRubric();
  const mode = document.querySelector('input[name="jmode"]:checked').value;
  if (!r && mode === 'form') {
    showError(errBox, new ApiError({ title: 'No rubric', detail: 'Pick a rubric first.' }, 0));
    return;
  }
  const { body, problems } = mode === 'json' ? collectJson(r) : collectForm(r);
  if (problems.length) {
    showError(errBox, new ApiError({ title: 'Check the input', detail: 'Some fields are missing or invalid.', errors: problems }, 0));
    return;
  }
  const btn = $('detect-btn');
  btn.disabled = true;
  $('judgment-status').textContent = 'Detecting…';
  try {
    const result = await api('POST', '/v1/judgments/detect', body);
    renderJudgments(result);
    const used = (rubrics || []).find((x) => x.id === result.rubric);
    if (used) renderBias(used);
    $('judgment-status').textContent = 'Done.';
  } catch (err) {
    $('judgment-result').hidden = true;
    showError(errBox, err);
    $('judgment-status').textContent = '';
  } finally {
    btn.disabled = false;
  }
}

function renderJudgments(r) {
  const out = $('judgment-result');
  out.dataset.response = JSON.stringify(r);
  const g = r.group || {};
  $('group-prob').textContent = pct(g.llm_probability);
  $('group-prob').dataset.value = String(g.llm_probability);
  $('group-label').textContent = g.label === 'llm' ? 'LLM judge' : g.label === 'human' ? 'human judge' : String(g.label ?? '');
  $('group-label').className = `badge ${g.label || ''}`;
  renderBars($('group-bar'), [
    { key: 'llm', name: 'LLM', value: g.llm_probability },
    { key: 'human_author', name: 'Human', value: 1 - g.llm_probability },
  ], g.label === 'llm' ? 'llm' : 'human_author');
  $('group-k').textContent = `Combined over ${g.k ?? (r.judgments || []).length} judgment(s) assumed to come from one judge · model ${r.model?.id ?? ''} ${r.model?.version ?? ''}`;
  const tb = $('per-body');
  tb.replaceChildren();
  (r.judgments || []).forEach((j, i) => {
    tb.append(el('tr', { 'data-value': String(j.llm_probability) },
      el('td', { text: String(i + 1) }),
      el('td', { class: 'num', text: pct(j.llm_probability) }),
      el('td', { text: j.label })));
  });
  renderExplanation($('jexplain-body'), r.explanation);
  const ws = $('jwarnings');
  ws.replaceChildren();
  for (const w of r.warnings || []) ws.append(el('li', { text: w }));
  out.hidden = false;
}

function setupJudgments() {
  $('rubric-select').addEventListener('change', onRubricChange);
  $('add-judgment').addEventListener('click', () => {
    const r = currentRubric();
    if (!r) return;
    const n = document.querySelectorAll('#judgment-list fieldset.judgment').length;
    const fs = judgmentFieldset(r, n);
    $('judgment-list').append(fs);
    const first = fs.querySelector('textarea, input');
    if (first) first.focus();
  });
  document.querySelectorAll('input[name="jmode"]').forEach((radio) => radio.addEventListener('change', () => {
    const json = document.querySelector('input[name="jmode"]:checked').value === 'json';
    $('jform').hidden = json;
    $('jjson').hidden = !json;
  }));
  $('judgment-form').addEventListener('submit', detectJudgments);
}

function setupApiKey() {
  const input = $('api-key');
  try { input.value = sessionStorage.getItem('llm-provenance-api-key') || ''; } catch { /* storage off */ }
  $('key-form').addEventListener('submit', (e) => e.preventDefault());
  input.addEventListener('change', () => {
    try { sessionStorage.setItem('llm-provenance-api-key', input.value.trim()); } catch { /* storage off */ }
    rubrics = null;
  });
}

function start() {
  setupApiKey();
  setupTabs();
  setupTextInput();
  setupJudgments();
  $('text-form').addEventListener('submit', analyzeText);
  document.body.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
