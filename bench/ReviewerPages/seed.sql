-- 10,000 assessments of one organisation over four scenarios, ten pushes each, every push
-- graded (100,000 gradings) with 8 test results, 2 metrics and a finding; the last push of each
-- carries the report document and its three changed files, as the grading job stores them.
-- Parameters: @assessments, @pushes, @manifest (jsonb), @report (jsonb).
INSERT INTO organisations (id, slug, name, created_at) VALUES ('00000000-0000-0000-0000-000000000001', 'bench', 'Bench Hiring', now());

INSERT INTO scenario_archives (content_hash, archive, size_bytes, created_at)
SELECT lpad(to_hex(i), 64, '0'), '\x00'::bytea, 1, now() FROM generate_series(1, 4) i;

INSERT INTO scenarios (id, organisation_id, slug, title, created_at)
SELECT md5('scenario' || i)::uuid, '00000000-0000-0000-0000-000000000001',
       (ARRAY['n-plus-one', 'idempotent-webhook', 'cache-stampede', 'slow-endpoint'])[i],
       (ARRAY['The N+1 query', 'A webhook that is not idempotent', 'A cache stampede', 'A slow endpoint'])[i], now()
FROM generate_series(1, 4) i;

INSERT INTO scenario_versions (id, scenario_id, content_hash, label, manifest, created_at, verified_at)
SELECT md5('version' || i)::uuid, md5('scenario' || i)::uuid, lpad(to_hex(i), 64, '0'), '1.0', @manifest, now(), now()
FROM generate_series(1, 4) i;

INSERT INTO users (id, display_name, is_operator, created_at, user_name, normalized_user_name, email, normalized_email,
                   email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count, security_stamp)
SELECT md5('user' || i)::uuid, 'Reviewer ' || i, false, now(), 'r' || i || '@bench.example', upper('r' || i || '@bench.example'),
       'r' || i || '@bench.example', upper('r' || i || '@bench.example'), true, false, false, true, 0, md5('stamp' || i)
FROM generate_series(1, 6) i;

INSERT INTO memberships (organisation_id, user_id, role, created_at)
SELECT '00000000-0000-0000-0000-000000000001', md5('user' || i)::uuid, 'Reviewer', now() FROM generate_series(1, 6) i;

INSERT INTO candidates (id, organisation_id, name, email, created_at)
SELECT md5('candidate' || i)::uuid, '00000000-0000-0000-0000-000000000001', 'Candidate ' || lpad(i::text, 5, '0'), 'c' || i || '@bench.example', now()
FROM generate_series(1, @assessments) i;

INSERT INTO assessments (id, organisation_id, candidate_id, scenario_version_id, slug, status, invited_at, started_at, closed_at,
                         time_limit, repository_host, created_at)
SELECT md5('assessment' || i)::uuid, '00000000-0000-0000-0000-000000000001', md5('candidate' || i)::uuid,
       md5('version' || (i % 4 + 1))::uuid, 'a-' || i, s.status,
       now() - (i % 90) * interval '1 day' - interval '2 hours',
       now() - (i % 90) * interval '1 day' - interval '1 hour',
       CASE WHEN s.status IN ('Closed', 'ReadyForReview', 'Reviewed') THEN now() - (i % 90) * interval '1 day' END,
       interval '4 hours', 'BuiltIn', now()
FROM generate_series(1, @assessments) i,
     LATERAL (SELECT (ARRAY['Started', 'Closed', 'ReadyForReview', 'ReadyForReview', 'Reviewed', 'Reviewed'])[i % 6 + 1] AS status) s;

INSERT INTO submissions (id, assessment_id, commit_sha, branch, source, received_at, is_final, message)
SELECT md5('submission' || i || '-' || j)::uuid, md5('assessment' || i)::uuid,
       md5('commit' || i || '-' || j) || substr(md5('more' || i || '-' || j), 1, 8), 'main', 'BuiltInPush',
       now() - (i % 90) * interval '1 day' - interval '1 hour' + j * interval '5 minutes',
       j = @pushes AND i % 6 <> 0, 'Push ' || j || ' of candidate ' || i
FROM generate_series(1, @assessments) i, generate_series(1, @pushes) j;

INSERT INTO grading_runs (id, kind, scenario_version_id, submission_id, status, verdict, stage, attempt, queued_at, started_at,
                          finished_at, image_digest, report, log, log_truncated)
SELECT md5('grading' || i || '-' || j)::uuid, 'Candidate', md5('version' || (i % 4 + 1))::uuid, md5('submission' || i || '-' || j)::uuid,
       'Completed', v.verdict, CASE WHEN v.verdict = 'Passed' THEN NULL ELSE 'hidden-tests:main' END, 1,
       now() - (i % 90) * interval '1 day' - interval '1 hour' + j * interval '5 minutes',
       now() - (i % 90) * interval '1 day' - interval '1 hour' + j * interval '5 minutes',
       now() - (i % 90) * interval '1 day' - interval '1 hour' + j * interval '5 minutes' + interval '70 seconds',
       'sha256:' || md5('image') || md5('digest'), CASE WHEN j = @pushes THEN @report END,
       'build [candidate] ok in 12.0 s', false
FROM generate_series(1, @assessments) i, generate_series(1, @pushes) j,
     LATERAL (SELECT (ARRAY['Passed', 'TestsFailed', 'TestsFailed', 'BuildFailed', 'Passed'])[(i + j) % 5 + 1] AS verdict) v;

INSERT INTO test_results (grading_run_id, ordinal, name, visibility, status, message, output, duration_ms)
SELECT g.id, t, CASE WHEN t = 0 THEN 'Shop.Tests.OrdersTests.Counts' ELSE 'main: HiddenTest' || t END,
       CASE WHEN t = 0 THEN 'Public' ELSE 'Hidden' END,
       CASE WHEN g.verdict = 'TestsFailed' AND t = 3 THEN 'Fail' ELSE 'Pass' END,
       CASE WHEN g.verdict = 'TestsFailed' AND t = 3 THEN 'took 10 statements' END, NULL, 10 + t
FROM grading_runs g, generate_series(0, 7) t;

INSERT INTO metric_samples (grading_run_id, key, unit, direction, is_primary, kind, candidate_value, baseline_value, ratio, comparison,
                            baseline_source, spread, baseline_spread, candidate_samples, baseline_samples)
SELECT g.id, 'statements_per_request', 'statements', 'Lower', true, 'Counted', 1 + (abs(hashtext(g.id::text)) % 10), 10,
       (1 + (abs(hashtext(g.id::text)) % 10)) / 10.0, 'Better', 'Cached', 0, 0, ARRAY[1.0], ARRAY[10.0]
FROM grading_runs g
UNION ALL
SELECT g.id, 'p50_latency', 'ms', 'Lower', false, 'Timed', 11, 12, 0.92, 'NoMeasurableDifference', 'Measured', 3, 4,
       ARRAY[9.0, 10, 11, 12, 14, 9, 10, 11, 12, 14], ARRAY[10.0, 11, 12, 13, 16, 10, 11, 12, 13, 16]
FROM grading_runs g;

INSERT INTO findings (grading_run_id, rule, severity, path, line, message)
SELECT g.id, 'new-public-member', 'Warning', 'src/Shop/Orders.cs', 6, 'Orders.Total() is new and public.' FROM grading_runs g;

INSERT INTO grading_files (grading_run_id, path, kind, "binary", generated, lines_added, lines_removed, template_text, candidate_text, text_omitted)
SELECT g.id, f.path, f.kind, false, false, 2, 1, f.before, f.after, false
FROM grading_runs g
JOIN submissions s ON s.id = g.submission_id AND s.message LIKE 'Push ' || @pushes || ' %',
LATERAL (VALUES
    ('NOTES.md', 'Added', NULL, E'# Notes\n\nThe list loaded each order''s lines in its own query; now one join.\n'),
    ('src/Shop/Orders.cs', 'Modified', repeat(E'    // a line of the template\n', 60) || E'    public static int Count() => 1;\n', repeat(E'    // a line of the template\n', 60) || E'    public static int Count() => 2;\n    public static int Total() => 3;\n'),
    ('src/Shop/OrdersEndpoint.cs', 'Modified', repeat(E'    var x = 1;\n', 120), repeat(E'    var x = 1;\n', 100) || E'    var y = 2;\n' || repeat(E'    var x = 1;\n', 19))
) AS f(path, kind, before, after);

INSERT INTO reviews (id, assessment_id, reviewer_id, assigned_at, submitted_at, updated_at, score, recommendation)
SELECT md5('review' || i || '-' || r)::uuid, md5('assessment' || i)::uuid, md5('user' || ((i + r) % 6 + 1))::uuid, now(),
       CASE WHEN i % 3 = 0 THEN now() END, CASE WHEN i % 3 = 0 THEN now() END,
       CASE WHEN i % 3 = 0 THEN (i * 37 + r * 11) % 101 END, CASE WHEN i % 3 = 0 THEN 'Hire' END
FROM generate_series(1, @assessments) i, generate_series(1, 2) r;

ANALYZE;
