/**
 * A Python client generated from openapi/openapi.json by openapi-python-client (pinned, in a cached venv)
 * imports and calls every operation of a listening server, a problem+json answer parsed as Problem and a
 * batch with a per-item error included. Skipped, saying why, where python3 or PyPI is missing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { OPENAPI_PATH } from '../../scripts/openapi.js';
import { LONG_TEXT } from '../helpers/build.js';
import { PYTHON_GENERATOR, checkReport, listening, pythonGenerator, runProgram, tempDir, type ClientReport } from '../helpers/clients.js';

const PROGRAM = `
import json, sys
from llm_provenance_client import Client
from llm_provenance_client.api.text import analyze_text, analyze_text_batch, detect_role, measure_involvement
from llm_provenance_client.api.judgments import detect_judgments, list_rubrics
from llm_provenance_client.api.models import list_models
from llm_provenance_client.api.operations import get_health, get_metrics, get_readiness
from llm_provenance_client.models import (
    AnalyzeTextBatchBody, AnalyzeTextBody, AnalyzeTextBodyTasksItem, BatchAnalysis, DetectJudgmentsBody,
    DetectRoleBody, InvolvementAnalysis, JudgmentDetection, MeasureInvolvementBody, ModelList, Problem,
    Readiness, RoleAnalysis, RubricList, TextAnalysis,
)
from llm_provenance_client.types import Unset

client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)
text = sys.argv[2]

analyze = analyze_text.sync_detailed(client=client, body=AnalyzeTextBody(text=text, tasks=[AnalyzeTextBodyTasksItem.ROLE], segments=True))
assert isinstance(analyze.parsed, TextAnalysis), analyze
role = detect_role.sync_detailed(client=client, body=DetectRoleBody(text=text))
assert isinstance(role.parsed, RoleAnalysis), role
involvement = measure_involvement.sync_detailed(client=client, body=MeasureInvolvementBody(text=text))
assert isinstance(involvement.parsed, InvolvementAnalysis), involvement
bad = analyze_text.sync_detailed(client=client, body=AnalyzeTextBody(text=""))
batch = analyze_text_batch.sync_detailed(client=client, body=AnalyzeTextBatchBody.from_dict(
    {"items": [{"id": "good", "text": text}, {"id": "empty", "text": ""}], "tasks": ["role"]}))
assert isinstance(batch.parsed, BatchAnalysis), batch
rubrics = list_rubrics.sync_detailed(client=client)
assert isinstance(rubrics.parsed, RubricList), rubrics
first = rubrics.parsed.rubrics[0]
detect = detect_judgments.sync_detailed(client=client, body=DetectJudgmentsBody.from_dict({
    "rubric": first.id,
    "judgments": [{"scores": {d.name: d.min_ for d in first.dimensions}, "candidate": {"prompt": "p", "response": "r"}}]}))
assert isinstance(detect.parsed, JudgmentDetection), detect
models = list_models.sync_detailed(client=client)
assert isinstance(models.parsed, ModelList), models
health = get_health.sync_detailed(client=client)
ready = get_readiness.sync_detailed(client=client)
assert isinstance(ready.parsed, Readiness), ready
metrics = get_metrics.sync_detailed(client=client)

def item(r):
    out = {}
    if not isinstance(r.id, Unset): out["id"] = r.id
    if not isinstance(r.role, Unset): out["label"] = r.role.label.value
    if not isinstance(r.error, Unset): out["errorPath"] = r.error.errors[0].path
    return out

print(json.dumps({
    "analyze": {"status": analyze.status_code, "label": analyze.parsed.role.label.value, "segments": len(analyze.parsed.segments)},
    "role": {"status": role.status_code, "label": role.parsed.role.label.value},
    "involvement": {"status": involvement.status_code, "ratio": involvement.parsed.involvement.ratio},
    "bad": {"status": bad.status_code, "problem": isinstance(bad.parsed, Problem), "path": bad.parsed.errors[0].path},
    "batch": {"status": batch.status_code, "items": [item(r) for r in batch.parsed.results]},
    "rubrics": {"status": rubrics.status_code, "count": len(rubrics.parsed.rubrics)},
    "detect": {"status": detect.status_code, "k": detect.parsed.group.k},
    "models": [m.name.value for m in models.parsed.models],
    "health": health.parsed.status.value,
    "ready": ready.parsed.status.value,
    "metrics": {"status": metrics.status_code, "prometheus": b"# HELP" in metrics.content},
}))
`;

// installed (once, cached) before the test starts; a missing toolchain skips the test with the reason
const python = pythonGenerator();

t.test(`a Python client (${PYTHON_GENERATOR.name} ${PYTHON_GENERATOR.version}) generates every operation and calls a listening server`, { skip: python.ok ? false : python.reason }, async (t) => {
  if (!python.ok) return;
  const dir = tempDir(t, 'python-client');
  // no post hooks: ruff is not needed to import the client
  writeFileSync(path.join(dir, 'config.yaml'), 'post_hooks: []\n');
  const gen = await runProgram(python.path, ['-m', 'openapi_python_client', 'generate', '--path', OPENAPI_PATH, '--meta', 'none', '--config', 'config.yaml', '--output-path', 'llm_provenance_client'], { cwd: dir });
  t.equal(gen.code, 0, `the generator ran\n${gen.stdout}${gen.stderr}`);
  t.notMatch(gen.stdout + gen.stderr, /Warning|will not be generated|Invalid/i, 'no warnings: every operation and schema generated');

  const { base } = await listening(t);
  writeFileSync(path.join(dir, 'calls.py'), PROGRAM);
  const ran = await runProgram(python.path, ['calls.py', base, LONG_TEXT], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } });
  t.equal(ran.code, 0, `the program ran\n${ran.stderr}`);
  checkReport(t, ran.json as ClientReport);
});
