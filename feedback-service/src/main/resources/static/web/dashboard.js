// The project dashboard for admins: the stats endpoints drawn as numbers, tables and SVG plots,
// and, when the feedback-service knows a trainer, its checkpoints with their metrics next to the
// project's candidates grouped by the checkpoint that made them, and the project's campaigns
// (depth, comparisons per checkpoint, learning curve, human win rate).
import { call, el, imagePath } from './api.js';
import { bars, curve, intervals, steps, timeline } from './plots.js';

const KEY = 'prefloop.admin-key';
const $ = (id) => document.getElementById(id);
const state = { key: sessionStorage.getItem(KEY), project: null, trainer: null, campaigns: [], campaign: null, timer: 0 };

const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const seconds = (ms) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

function show(signedIn) {
  $('sign-in').hidden = signedIn;
  $('sign-out').hidden = !signedIn;
  $('project-controls').hidden = !signedIn;
}

function fail(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  const key = $('key').value.trim();
  try {
    await call(key, 'GET', 'v1/labelers'); // admins only
  } catch (e) {
    $('sign-in-error').textContent = e.status === 401 ? 'That key is not valid.'
      : e.status === 403 ? 'This is not an admin key.' : `Could not sign in: ${e.message}`;
    return;
  }
  sessionStorage.setItem(KEY, key);
  state.key = key;
  $('key').value = '';
  start();
}

async function start() {
  show(true);
  const projects = (await call(state.key, 'GET', 'v1/projects?limit=1000')).data;
  $('no-projects').hidden = projects.length > 0;
  if (projects.length === 0) return;
  const wanted = new URLSearchParams(location.search).get('project');
  const chosen = projects.find((p) => p.id === wanted) || projects[projects.length - 1];
  $('project').replaceChildren(...projects.map((p) => el('option', { value: p.id, text: `${p.name} (${p.modality})` })));
  $('project').value = chosen.id;
  await load(chosen.id);
}

async function load(projectId) {
  clearTimeout(state.timer);
  history.replaceState(null, '', `?project=${projectId}`);
  state.project = projectId;
  $('error').hidden = true;
  const base = `v1/projects/${projectId}`;
  try {
    const [stats, activity, samples] = await Promise.all([
      call(state.key, 'GET', `${base}/stats`),
      call(state.key, 'GET', `${base}/stats/activity`),
      call(state.key, 'GET', `${base}/samples?prompts=8&checkpoints=12`),
    ]);
    $('dashboard').hidden = false;
    numbers(stats);
    throughput(activity);
    elapsed(activity);
    agreement(stats);
    bias(stats);
    labelers(stats);
    sampleGrid(samples);
  } catch (e) {
    if (e.status === 401 || e.status === 403) return signOut('Sign in again with an admin key.');
    fail(`Could not load the project: ${e.message}`);
  }
  await checkpoints();
  await campaigns(projectId);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  $('dashboard').dataset.loaded = projectId;
  state.timer = setTimeout(() => load(projectId), 30000);
}

function numbers(stats) {
  const pairs = stats.pairs;
  const total = Object.values(pairs).reduce((a, b) => a + b, 0);
  const items = [
    ['pairs', total], ['unjudged', pairs.unjudged || 0], ['in progress', pairs.in_progress || 0],
    ['resolved', pairs.resolved || 0], ['judgments', stats.judgments], ['skips', stats.skips],
    ['last hour', stats.judgments_last_hour], ['median time', seconds(stats.median_ms_per_judgment)],
    ['alpha', stats.krippendorff_alpha === null ? '–' : stats.krippendorff_alpha.toFixed(3)],
  ];
  for (const [outcome, n] of Object.entries(stats.outcomes)) items.push([`outcome ${outcome}`, n]);
  $('numbers').replaceChildren(...items.map(([name, value]) => el('div', { class: 'number', 'data-stat': name },
    el('span', { class: 'value', text: String(value) }), el('span', { class: 'name', text: name }))));
}

function throughput(activity) {
  const step = { minute: 60e3, hour: 3600e3, day: 86400e3 }[activity.bucket];
  const byStart = new Map(activity.throughput.map((b) => [Date.parse(b.start), b]));
  const entries = [];
  if (activity.throughput.length > 0) {
    const first = Date.parse(activity.throughput[0].start);
    const last = Date.parse(activity.throughput[activity.throughput.length - 1].start);
    for (let t = first; t <= last && entries.length < 2000; t += step) { // empty buckets drawn as gaps
      const b = byStart.get(t) || { judgments: 0, skips: 0 };
      const d = new Date(t);
      const label = activity.bucket === 'day' ? d.toLocaleDateString() : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      entries.push({ label, values: [b.judgments, b.skips], title: `${label}: ${b.judgments} judgments, ${b.skips} skips` });
    }
  }
  $('bucket').textContent = `per ${activity.bucket} (judgments, skips lighter)`;
  $('throughput').replaceChildren(entries.length ? bars(entries, { classes: ['bar', 'bar skip'], labels: 12, title: 'judgments over time', width: 1100 })
    : el('p', { class: 'muted', text: 'No judgments yet.' }));
}

function elapsed(activity) {
  const label = (b) => (b.to_ms === null ? `≥${b.from_ms / 1000}s` : `${b.from_ms / 1000}–${b.to_ms / 1000}s`);
  $('elapsed').replaceChildren(bars(activity.elapsed_ms.map((b) => ({ label: label(b), values: [b.count] })),
    { labels: 10, title: 'judgments by time taken' }));
}

function agreement(stats) {
  const alpha = stats.krippendorff_alpha;
  const reading = alpha === null ? 'not measurable yet (needs pairs with two or more votes in more than one category)'
    : alpha >= 0.8 ? 'reliable' : alpha >= 0.667 ? 'tentative' : 'low';
  $('alpha').replaceChildren(el('strong', { text: `Krippendorff's alpha ${alpha === null ? '–' : alpha.toFixed(3)}` }),
    ` · ${reading}`);
  const rows = stats.labelers.filter((l) => l.agreement_with_consensus !== null);
  $('agreement').replaceChildren(rows.length
    ? bars(rows.map((l) => ({ label: l.name || l.labeler_id.slice(0, 8), values: [l.agreement_with_consensus],
      title: `${l.name}: ${pct(l.agreement_with_consensus)} of votes match the outcome` })),
    { labels: 12, title: 'share of votes matching the outcome', format: (v) => v.toFixed(2) })
    : el('p', { class: 'muted', text: 'Per-labeler agreement needs resolved pairs with several votes.' }));
}

function interval(rate, n) {
  const half = 1.96 * Math.sqrt(0.25 / n); // the standard error under no bias, as the z-score uses
  return { value: rate, low: rate - half, high: rate + half };
}

function bias(stats) {
  const rows = [];
  const overall = stats.position_bias;
  if (overall.left_rate !== null) rows.push({ label: 'all labelers', ...interval(overall.left_rate, overall.decisive) });
  for (const l of stats.labelers) {
    if (l.left_rate !== null) rows.push({ label: l.name || l.labeler_id.slice(0, 8), ...interval(l.left_rate, l.decisive) });
  }
  $('bias').replaceChildren(rows.length ? intervals(rows, { title: 'share of decisive picks on the left' })
    : el('p', { class: 'muted', text: 'No decisive judgments yet.' }),
  overall.z === null ? '' : el('p', { class: 'muted', text: `left rate ${pct(overall.left_rate)} over ${overall.decisive} decisive judgments, z = ${overall.z.toFixed(2)}` }));
}

function labelers(stats) {
  $('labelers').tBodies[0].replaceChildren(...stats.labelers.map((l) => el('tr', {},
    el('td', { text: l.name || l.labeler_id }), el('td', { class: 'num', text: String(l.judgments) }),
    el('td', { class: 'num', text: String(l.skips) }), el('td', { class: 'num', text: pct(l.agreement_with_consensus) }),
    el('td', { class: 'num', text: seconds(l.median_ms) }), el('td', { class: 'num', text: pct(l.left_rate) }))));
}

async function checkpoints() {
  if (!state.trainer) {
    try {
      state.trainer = await call(state.key, 'GET', 'v1/trainer/models');
    } catch (e) {
      $('checkpoints-status').textContent = `The trainer could not be read: ${e.message}`;
      return;
    }
  }
  const trainer = state.trainer;
  if (!trainer.configured) {
    $('checkpoints-status').textContent = 'No trainer configured (prefloop.feedback.trainer-url).';
    return;
  }
  if (trainer.models.length === 0) {
    $('checkpoints-status').textContent = 'The trainer has no models yet.';
    return;
  }
  $('checkpoints-status').textContent = '';
  const models = $('model');
  if (models.options.length !== trainer.models.length) {
    models.replaceChildren(...trainer.models.map((m) => el('option', { value: m.name, text: m.name })));
    models.onchange = () => drawModel();
    $('metric').onchange = () => drawModel();
  }
  $('checkpoint-controls').hidden = false;
  drawModel();
}

function drawModel() {
  const model = state.trainer.models.find((m) => m.name === $('model').value) || state.trainer.models[0];
  const checkpoints = [...model.checkpoints].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const names = [...new Set(checkpoints.flatMap((c) => Object.entries(c.metrics || {})
    .filter(([, v]) => typeof v === 'number').map(([k]) => k)))].sort();
  const metric = $('metric');
  if ([...metric.options].map((o) => o.value).join() !== names.join()) {
    const before = metric.value;
    metric.replaceChildren(...names.map((n) => el('option', { value: n, text: n })));
    if (names.includes(before)) metric.value = before;
  }
  const chosen = metric.value;
  $('timeline').replaceChildren(timeline(checkpoints.map((c) => ({
    x: new Date(c.created_at), y: c.metrics ? c.metrics[chosen] : NaN, label: c.version, current: c.current,
  })), { title: `${model.name}: ${chosen} per checkpoint`, width: 1100 }));
  const table = $('checkpoints');
  table.hidden = false;
  table.tBodies[0].replaceChildren(...checkpoints.map((c) => el('tr', { class: c.current ? 'current' : '' },
    el('td', { text: c.version + (c.current ? ' (current)' : '') }), el('td', { text: c.method || '' }),
    el('td', { text: new Date(c.created_at).toLocaleString() }), el('td', { text: c.parent || '' }),
    el('td', { text: Object.entries(c.metrics || {}).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(3) : v}`).join(' · ') }))));
}

const short = (checkpoint) => (checkpoint ? checkpoint.split('/').pop() : '–');
const cell = (text, num) => el('td', { class: num ? 'num' : '', text: String(text) });
const num3 = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(3));

async function campaigns(projectId) {
  const card = $('campaigns-card');
  let answer;
  try {
    answer = await call(state.key, 'GET', `v1/trainer/campaigns?project=${projectId}`);
  } catch (e) {
    card.hidden = false;
    $('campaign-view').hidden = true;
    $('campaign-controls').hidden = true;
    $('campaigns-status').textContent = `The trainer's campaigns could not be read: ${e.message}`;
    return;
  }
  if (projectId !== state.project) return;
  if (!answer.configured) {
    card.hidden = false;
    $('campaign-view').hidden = true;
    $('campaign-controls').hidden = true;
    $('campaigns-status').textContent = 'No trainer configured (prefloop.feedback.trainer-url): campaigns cannot be shown.';
    return;
  }
  state.campaigns = answer.campaigns;
  card.hidden = answer.campaigns.length === 0;
  if (answer.campaigns.length === 0) return;
  const select = $('campaign');
  const ids = answer.campaigns.map((c) => c.id);
  if ([...select.options].map((o) => o.value).join() !== ids.join()) {
    select.replaceChildren(...answer.campaigns.map((c) => el('option', { value: c.id, text: `${c.name || c.id.slice(0, 8)} (${c.state})` })));
    select.onchange = () => { state.campaign = select.value; campaign(select.value); };
  }
  if (!ids.includes(state.campaign)) state.campaign = ids[0];
  select.value = state.campaign;
  $('campaign-controls').hidden = ids.length < 2;
  await campaign(state.campaign);
}

async function campaign(id) {
  let overview;
  try {
    overview = await call(state.key, 'GET', `v1/trainer/campaigns/${id}/overview`);
  } catch (e) {
    $('campaigns-status').textContent = `The campaign could not be read: ${e.message}`;
    $('campaign-view').hidden = true;
    return;
  }
  if (id !== state.campaign) return;
  $('campaigns-status').textContent = '';
  const c = overview.campaign;
  // one colour per checkpoint: the campaign's checkpoints first, then any only the samples name
  const groups = new Map();
  for (const name of [...(c.checkpoints || []).map((k) => k.checkpoint), ...overview.depth.map((d) => d.checkpoint)]) {
    if (name && !groups.has(name)) groups.set(name, groups.size);
  }
  campaignSummary(c);
  depthChart(c, overview.depth, groups);
  comparisonBars(c);
  learningCurve(c, overview.evaluations);
  winRate(overview.evaluations);
  $('campaign-view').hidden = false;
  $('campaign-view').dataset.campaign = id;
}

function campaignSummary(c) {
  const selection = c.selection ? `${c.selection.mode}${c.selection.mode === 'uncertainty'
    ? ` (${c.selection.reward_model || '–'}, ${pct(c.selection.random_share)} random)` : ''}` : '–';
  const fact = (name, value, key) => el('div', { 'data-fact': key }, el('dt', { text: name }), el('dd', {}, value));
  $('campaign-summary').replaceChildren(
    fact('name', c.name || c.id, 'name'),
    fact('state', el('span', { class: `state ${c.state}`, text: c.state }), 'state'),
    fact('model', c.model, 'model'),
    fact('selection', selection, 'selection'),
    fact('open pairs / target depth', `${c.open_pairs === null || c.open_pairs === undefined ? '–' : c.open_pairs} / ${c.target_depth}`, 'depth'),
    fact('serving', short(c.proposal_checkpoint), 'checkpoint'),
    fact('proposals', String(c.proposals_made), 'proposals'),
    fact('prompts', `${(c.prompts || []).length} + ${(c.held_out_prompts || []).length} held out`, 'prompts'));
  const error = $('campaign-error');
  error.hidden = !c.last_error;
  error.textContent = c.last_error ? `Last error${c.last_error_at ? ` (${new Date(c.last_error_at).toLocaleString()})` : ''}: ${c.last_error}` : '';
}

function depthChart(c, depth, groups) {
  const points = depth.map((d) => ({ x: new Date(d.at), y: d.open_pairs, label: short(d.checkpoint), group: groups.get(d.checkpoint) || 0 }));
  $('campaign-depth').replaceChildren(steps(points, { target: c.target_depth, title: `${c.name || 'campaign'}: open pairs over time, target depth ${c.target_depth}` }));
  const seen = [...groups.entries()].filter(([name]) => depth.some((d) => d.checkpoint === name));
  $('campaign-depth-legend').replaceChildren(...(seen.length ? ['samples from ', ...seen.flatMap(([name, i]) => [
    el('span', { class: `swatch g${i % 6}` }), short(name)])] : []), seen.length ? ' · dashed: target depth' : '');
  $('campaign-depth-table').tBodies[0].replaceChildren(...depth.map((d) => el('tr', {},
    cell(new Date(d.at).toLocaleString()), cell(d.open_pairs, true), cell(d.checkpoint || '–'))));
}

function comparisonBars(c) {
  const rows = c.checkpoints || [];
  $('campaign-bars').replaceChildren(rows.length ? bars(rows.map((k) => ({
    label: short(k.checkpoint), values: [k.resolved, k.open, k.retired],
    titles: [`${k.checkpoint}: ${k.resolved} resolved`, `${k.checkpoint}: ${k.open} open`, `${k.checkpoint}: ${k.retired} retired`],
  })), { classes: ['bar resolved', 'bar open', 'bar retired'], title: 'comparisons per checkpoint: resolved, open, retired' })
    : el('p', { class: 'muted', text: 'No proposals yet.' }));
  $('campaign-bars-table').tBodies[0].replaceChildren(...rows.map((k) => el('tr', {},
    cell(k.checkpoint), cell(k.proposals, true), cell(k.resolved, true), cell(k.open, true), cell(k.retired, true))));
}

/**
 * The held-out metric per checkpoint in promotion order: the evaluations' metric_value, or else the
 * registry's checkpoints of the campaign's model (heldout_implicit_acc, or the first heldout_* metric).
 */
function learningCurve(c, evaluations) {
  let points = [];
  let metric = null;
  let source = '';
  const evaluated = evaluations.filter((e) => Number.isFinite(e.metric_value));
  if (evaluated.length > 0) {
    metric = evaluated[0].metric;
    points = evaluated.map((e) => ({ label: short(e.checkpoint), y: e.metric_value, checkpoint: e.checkpoint }));
    source = 'from the evaluations';
  } else {
    const model = state.trainer && state.trainer.models ? state.trainer.models.find((m) => m.name === c.model) : null;
    if (model) {
      const ours = new Set((c.checkpoints || []).map((k) => k.checkpoint));
      let checkpoints = [...model.checkpoints].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
      const mine = checkpoints.filter((k) => ours.has(`${k.model || model.name}/${k.version}`));
      if (mine.length > 0) checkpoints = mine;
      const names = [...new Set(checkpoints.flatMap((k) => Object.entries(k.metrics || {})
        .filter(([name, v]) => name.startsWith('heldout_') && typeof v === 'number').map(([name]) => name)))].sort();
      metric = names.includes('heldout_implicit_acc') ? 'heldout_implicit_acc' : names[0] || null;
      if (metric) {
        points = checkpoints.map((k) => ({ label: k.version, y: k.metrics ? k.metrics[metric] : NaN, checkpoint: `${model.name}/${k.version}` }));
        source = 'from the registry';
      }
    }
  }
  $('campaign-curve-metric').textContent = metric ? `${metric} per checkpoint, ${source}` : '';
  $('campaign-curve').replaceChildren(points.length ? curve(points, { title: `learning curve: ${metric} per checkpoint in promotion order` })
    : el('p', { class: 'muted', text: 'No held-out metric yet.' }));
  $('campaign-curve-table').tBodies[0].replaceChildren(...points.map((p) => el('tr', {},
    cell(p.checkpoint), cell(num3(Number.isFinite(p.y) ? p.y : null), true))));
}

function winRate(evaluations) {
  const rows = evaluations.filter((e) => Number.isFinite(e.win_rate));
  $('campaign-winrate').replaceChildren(rows.length ? intervals(rows.map((e) => ({
    label: `${short(e.checkpoint)} vs ${short(e.against)}`, value: e.win_rate,
    low: Number.isFinite(e.ci_low) ? e.ci_low : e.win_rate, high: Number.isFinite(e.ci_high) ? e.ci_high : e.win_rate,
  })), { title: 'human win rate of each checkpoint against the previous one, 95% Wilson interval' })
    : el('p', { class: 'muted no-votes', text: 'No evaluation votes yet.' }));
  $('campaign-winrate-table').tBodies[0].replaceChildren(...evaluations.map((e) => el('tr', {},
    cell(e.checkpoint), cell(e.against || '–'), cell(e.wins, true), cell(e.losses, true), cell(e.ties, true),
    cell(num3(e.win_rate), true), cell(Number.isFinite(e.ci_low) ? `${num3(e.ci_low)}–${num3(e.ci_high)}` : '–', true))));
}

function sampleGrid(grid) {
  if (grid.checkpoints.length === 0) {
    $('samples-status').textContent = 'No candidates yet.';
    $('samples').replaceChildren();
    return;
  }
  $('samples-status').textContent = 'The first candidate of each prompt, per checkpoint that made it (oldest first).';
  $('samples').replaceChildren(...grid.checkpoints.map((row) => el('div', { class: 'sample-row', 'data-checkpoint': row.checkpoint || '' },
    el('h3', { text: `${row.checkpoint || row.model || 'unknown checkpoint'} · ${row.candidates} candidates · from ${new Date(row.first_at).toLocaleString()}` }),
    el('div', { class: 'thumbs' }, ...row.samples.map((s, i) => el('figure', {},
      s === null ? el('div', { class: 'text muted', text: '—' })
        : s.image_url ? el('img', { src: imagePath(s.image_url), alt: grid.prompts[i] })
          : el('div', { class: 'text', text: s.text }),
      el('figcaption', { text: grid.prompts[i] })))))));
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  state.key = null;
  show(false);
  $('dashboard').hidden = true;
  $('sign-in-error').textContent = message || '';
}

$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', () => signOut());
$('project').addEventListener('change', () => load($('project').value));
$('refresh').addEventListener('click', () => { state.trainer = null; load(state.project); });
if (state.key) start().catch((e) => fail(e.message));
else {
  show(false);
  $('key').focus();
}
