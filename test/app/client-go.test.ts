/**
 * A Go client generated from openapi/openapi.json by oapi-codegen (pinned, installed from the Go module
 * proxy into a cache) compiles and calls every operation of a listening server, a problem+json answer
 * parsed as Problem and a batch with a per-item error included. Skipped, saying why, where go is missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { OPENAPI_PATH } from '../../scripts/openapi.js';
import { LONG_TEXT } from '../helpers/build.js';
import { GO_GENERATOR, TOOL_CACHE, checkReport, goGenerator, listening, runProgram, tempDir, type ClientReport } from '../helpers/clients.js';

const PROGRAM = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"clienttest/provenance"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	ctx := context.Background()
	c, err := provenance.NewClientWithResponses(os.Args[1])
	must(err)
	text := os.Args[2]
	yes := true

	analyze, err := c.AnalyzeTextWithResponse(ctx, provenance.AnalyzeTextJSONRequestBody{Text: text, Tasks: &[]provenance.AnalyzeTextJSONBodyTasks{provenance.AnalyzeTextJSONBodyTasksRole}, Segments: &yes})
	must(err)
	role, err := c.DetectRoleWithResponse(ctx, provenance.DetectRoleJSONRequestBody{Text: text})
	must(err)
	involvement, err := c.MeasureInvolvementWithResponse(ctx, provenance.MeasureInvolvementJSONRequestBody{Text: text})
	must(err)
	bad, err := c.AnalyzeTextWithResponse(ctx, provenance.AnalyzeTextJSONRequestBody{Text: ""})
	must(err)

	var batchBody provenance.AnalyzeTextBatchJSONRequestBody
	must(json.Unmarshal([]byte(fmt.Sprintf(\`{"items": [{"id": "good", "text": %q}, {"id": "empty", "text": ""}], "tasks": ["role"]}\`, text)), &batchBody))
	batch, err := c.AnalyzeTextBatchWithResponse(ctx, batchBody)
	must(err)
	items := []map[string]string{}
	for _, r := range batch.JSON200.Results {
		item := map[string]string{}
		if r.Id != nil {
			item["id"] = *r.Id
		}
		if r.Role != nil {
			item["label"] = string(r.Role.Label)
		}
		if r.Error != nil {
			item["errorPath"] = (*r.Error.Errors)[0].Path
		}
		items = append(items, item)
	}

	rubrics, err := c.ListRubricsWithResponse(ctx)
	must(err)
	first := rubrics.JSON200.Rubrics[0]
	scores := map[string]float32{}
	for _, d := range first.Dimensions {
		scores[d.Name] = d.Min
	}
	var detectBody provenance.DetectJudgmentsJSONRequestBody
	judgments, _ := json.Marshal(map[string]any{"rubric": first.Id, "judgments": []any{map[string]any{"scores": scores, "candidate": map[string]string{"prompt": "p", "response": "r"}}}})
	must(json.Unmarshal(judgments, &detectBody))
	detect, err := c.DetectJudgmentsWithResponse(ctx, detectBody)
	must(err)

	models, err := c.ListModelsWithResponse(ctx)
	must(err)
	names := []string{}
	for _, m := range models.JSON200.Models {
		names = append(names, string(m.Name))
	}
	health, err := c.GetHealthWithResponse(ctx)
	must(err)
	ready, err := c.GetReadinessWithResponse(ctx)
	must(err)
	metrics, err := c.GetMetricsWithResponse(ctx)
	must(err)

	out, _ := json.Marshal(map[string]any{
		"analyze":     map[string]any{"status": analyze.StatusCode(), "label": analyze.JSON200.Role.Label, "segments": len(*analyze.JSON200.Segments)},
		"role":        map[string]any{"status": role.StatusCode(), "label": role.JSON200.Role.Label},
		"involvement": map[string]any{"status": involvement.StatusCode(), "ratio": involvement.JSON200.Involvement.Ratio},
		"bad":         map[string]any{"status": bad.StatusCode(), "problem": bad.JSON400 != nil, "path": (*bad.JSON400.Errors)[0].Path},
		"batch":       map[string]any{"status": batch.StatusCode(), "items": items},
		"rubrics":     map[string]any{"status": rubrics.StatusCode(), "count": len(rubrics.JSON200.Rubrics)},
		"detect":      map[string]any{"status": detect.StatusCode(), "k": detect.JSON200.Group.K},
		"models":      names,
		"health":      health.JSON200.Status,
		"ready":       ready.JSON200.Status,
		"metrics":     map[string]any{"status": metrics.StatusCode(), "prometheus": strings.Contains(string(metrics.Body), "# HELP")},
	})
	fmt.Println(string(out))
}
`;

// installed (once, cached) before the test starts; a missing toolchain skips the test with the reason
const generator = goGenerator();

t.test(`a Go client (oapi-codegen ${GO_GENERATOR.version}) generates every operation, compiles and calls a listening server`, { skip: generator.ok ? false : generator.reason }, async (t) => {
  if (!generator.ok) return;
  const dir = tempDir(t, 'go-client');
  mkdirSync(path.join(dir, 'provenance'));
  const gen = await runProgram(generator.path, ['-generate', 'types,client', '-package', 'provenance', '-o', path.join(dir, 'provenance', 'client.go'), OPENAPI_PATH]);
  t.equal(gen.code, 0, `the generator ran\n${gen.stdout}${gen.stderr}`);
  writeFileSync(path.join(dir, 'go.mod'), 'module clienttest\n\ngo 1.22\n');
  writeFileSync(path.join(dir, 'main.go'), PROGRAM);
  // the build cache is shared between runs (the standard library compiles once)
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: process.env.GOCACHE ?? path.join(TOOL_CACHE, 'go-build') };
  const built = await runProgram('go', ['build', '-o', 'calls', '.'], { cwd: dir, env });
  t.equal(built.code, 0, `the generated client compiles\n${built.stderr}`);

  const { base } = await listening(t);
  const ran = await runProgram(path.join(dir, 'calls'), [base, LONG_TEXT], { cwd: dir });
  t.equal(ran.code, 0, `the program ran\n${ran.stderr}`);
  checkReport(t, ran.json as ClientReport);
});
