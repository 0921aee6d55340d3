package stacks_test

import (
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoWildcardActions(t *testing.T) {
	stmts := synth(t, nil).Statements()
	require.NotEmpty(t, stmts)
	for id, policy := range stmts {
		for _, st := range policy {
			for _, a := range cdktest.Strings(st["Action"]) {
				assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "%s allows %q", id, a)
			}
		}
	}
}

func TestLambdaWritesOnlyRaw(t *testing.T) {
	stmts := synth(t, nil).Statements()
	var lambda []map[string]any
	for id, st := range stmts {
		if strings.HasPrefix(id, "LoadDataServiceRole") {
			lambda = st
		}
	}
	require.NotEmpty(t, lambda, "the ingest function's policy")
	s3 := 0
	for _, st := range lambda {
		for _, a := range cdktest.Strings(st["Action"]) {
			if !strings.HasPrefix(a, "s3:") {
				continue
			}
			s3++
			assert.Equal(t, "s3:PutObject", a)
			res := cdktest.Strings(st["Resource"])
			require.Len(t, res, 1)
			assert.True(t, strings.HasSuffix(res[0], `"/raw/velib/*"]]}`), "the function may write only under raw/velib/: %s", res[0])
		}
	}
	assert.Equal(t, 1, s3, "exactly one S3 permission")
}

func TestGlueJobsTouchOnlyTheirPrefixes(t *testing.T) {
	stmts := synth(t, nil).Statements()
	want := map[string]struct{ reads, writes []string }{
		"RawToSilverRole":  {[]string{"/raw/velib/*"}, []string{"/silver/velib_data_silver/*", "/tmp/velib_raw_to_silver/*"}},
		"AvgStatsRole":     {[]string{"/silver/velib_data_silver/*"}, []string{"/gold/velib_avg_stats_gold/*", "/tmp/velib_silver_to_gold_avg_stats/*"}},
		"AvailPercentRole": {[]string{"/silver/velib_data_silver/*"}, []string{"/gold/velib_avail_percent_gold/*", "/tmp/velib_silver_to_gold_avail_percent/*"}},
	}
	for role, w := range want {
		var reads, writes []string
		for id, policy := range stmts {
			if !strings.HasPrefix(id, role) {
				continue
			}
			for _, st := range policy {
				actions := strings.Join(cdktest.Strings(st["Action"]), ",")
				if !strings.Contains(actions, "s3:GetObject") || strings.Contains(actions, "s3:GetObject*") {
					continue // Spark UI log grant or not an object statement
				}
				for _, r := range cdktest.Strings(st["Resource"]) {
					suffix := r[strings.LastIndex(r, `"/`)+1 : strings.LastIndex(r, `"`)]
					if strings.Contains(actions, "s3:PutObject") {
						writes = append(writes, suffix)
					} else {
						reads = append(reads, suffix)
					}
				}
			}
		}
		assert.ElementsMatch(t, w.reads, reads, "%s reads", role)
		assert.ElementsMatch(t, w.writes, writes, "%s writes", role)
	}
}
