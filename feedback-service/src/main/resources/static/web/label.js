// The labeling page. One pair is on screen and the next is already leased, built and its images
// decoded (the API lets a labeler hold two leases), so a keypress swaps pairs without waiting on
// the network; the judgment is posted behind it with an Idempotency-Key, retried with the same
// key on network errors. Judgments, undos and lease requests run one after another on one chain,
// so the page never asks for a new lease while the judged one is still held.
import { ApiError, call, el, imagePath, newKey, sleep } from './api.js';

const KEY = 'prefloop.labeler-key';
const $ = (id) => document.getElementById(id);

// read back by the browser test: keypress-to-next-pair times and judgments in flight
window.prefloop = { timings: [], pending: 0 };

const state = {
  key: sessionStorage.getItem(KEY),
  project: null,
  current: null,  // { task, view, loaded, shownAt }
  queue: [],      // leased and built, not shown yet
  chain: Promise.resolve(),
  last: null,     // { judgment, task }: what undo takes back
  empty: false,
  expiryTimer: 0,
  pollTimer: 0,
  noticeTimer: 0,
};

function show(section) {
  for (const id of ['sign-in', 'projects', 'labeling']) $(id).hidden = id !== section;
  const signedIn = section !== 'sign-in';
  $('sign-out').hidden = !signedIn;
  $('switch-project').hidden = section !== 'labeling';
}

function notice(text, kind = 'info') {
  const box = $('notice');
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
  clearTimeout(state.noticeTimer);
  state.noticeTimer = setTimeout(() => { box.hidden = true; }, kind === 'info' ? 6000 : 20000);
}

// ---- signing in and choosing a project

function showSignIn(message = '') {
  show('sign-in');
  $('sign-in-error').textContent = message;
  $('key').focus();
}

async function signIn(event) {
  event.preventDefault();
  const key = $('key').value.trim();
  try {
    await call(key, 'GET', 'v1/projects?limit=1');
  } catch (e) {
    $('sign-in-error').textContent = e.status === 401 ? 'That key is not valid.' : `Could not sign in: ${e.message}`;
    return;
  }
  sessionStorage.setItem(KEY, key);
  state.key = key;
  $('key').value = '';
  open();
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  if (message) sessionStorage.setItem('prefloop.sign-in-message', message);
  location.assign(location.pathname); // a fresh page: nothing of the last session stays in memory
}

function open() {
  const project = new URLSearchParams(location.search).get('project');
  return project ? openProject(project) : listProjects();
}

async function listProjects() {
  show('projects');
  const page = await call(state.key, 'GET', 'v1/projects?limit=1000');
  const list = $('project-list');
  list.replaceChildren(...page.data.map((p) => el('li', {},
    el('a', { href: `?project=${encodeURIComponent(p.id)}`, 'data-project-id': p.id },
      el('strong', { text: p.name }), el('span', { class: 'muted', text: ` · ${p.modality}` })))));
  $('projects-empty').hidden = page.data.length > 0;
  list.querySelector('a')?.focus();
}

async function openProject(id) {
  show('labeling');
  try {
    state.project = await call(state.key, 'GET', `v1/projects/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.status === 401) return signOut('Your key is no longer valid; sign in again.');
    await listProjects();
    return notice(e.status === 404 || e.status === 400 ? 'That project does not exist.' : e.message, 'error');
  }
  const project = state.project;
  document.title = `${project.name} · Prefloop`;
  $('project-name').textContent = project.name;
  $('instructions-text').textContent = project.instructions || 'Pick the better of the two.';
  document.querySelector('[data-choice="tie"]').hidden = !project.allow_ties;
  let held;
  try {
    held = (await call(state.key, 'GET', `v1/projects/${project.id}/tasks`)).data;
  } catch (e) {
    if (e.status === 403) return signOut('This is not a labeler key: sign in with the key you were given for labeling.');
    throw e;
  }
  held.forEach(enqueue); // leases from an earlier visit come first
  if (!state.current) advance(null);
  work(topUp);
  refreshProgress();
}

// ---- pairs: building, preloading, showing

function build(task) {
  const side = (s, label, key, which) => {
    const content = s.image_url
      ? el('img', { src: imagePath(s.image_url), alt: `${label} candidate`, draggable: 'false' })
      : el('div', { class: 'text', text: s.text });
    const figure = el('figure', { class: `side ${which}`, 'data-side': which },
      el('figcaption', {}, el('kbd', { text: key }), ` ${label}`), content);
    figure.addEventListener('click', (event) => click(event, which));
    return figure;
  };
  const view = el('article', { class: `pair ${task.left.image_url ? 'images' : 'texts'}`, 'data-pair-id': task.pair_id, hidden: true },
    el('p', { class: 'prompt' }, el('span', { class: 'label', text: 'Prompt' }), el('span', { class: 'prompt-text', text: task.prompt })),
    el('div', { class: 'sides' }, side(task.left, 'Left', '1', 'left'), side(task.right, 'Right', '2', 'right')));
  $('stage').append(view);
  const images = [...view.querySelectorAll('img')];
  const item = { task, view, loaded: images.length === 0, shownAt: 0 };
  Promise.all(images.map((i) => i.decode().catch(() => {}))).then(() => { item.loaded = true; });
  return item;
}

function knows(task) {
  return state.current?.task.pair_id === task.pair_id || state.queue.some((i) => i.task.pair_id === task.pair_id);
}

function enqueue(task) {
  if (!knows(task)) state.queue.push(build(task));
}

/** Shows the next preloaded pair; t0 is the keypress's time, to measure how soon the pair is on screen. */
function advance(t0) {
  clearTimeout(state.expiryTimer);
  state.current?.view.remove();
  const next = state.queue.shift() || null;
  state.current = next;
  $('stage').dataset.pairId = next ? next.task.pair_id : '';
  if (next) {
    next.view.hidden = false;
    next.shownAt = performance.now();
    $('empty').hidden = true;
    $('loading').hidden = true;
    watchExpiry(next);
    if (t0 !== null) {
      const preloaded = next.loaded;
      // a task queued from inside requestAnimationFrame runs once that frame is painted
      requestAnimationFrame(() => setTimeout(() => window.prefloop.timings.push({ ms: performance.now() - t0, preloaded }), 0));
    }
  } else {
    $('empty').hidden = !state.empty;
    $('loading').hidden = state.empty;
  }
  updateButtons();
}

function watchExpiry(item) {
  const left = Date.parse(item.task.expires_at) - Date.now();
  const warn = () => {
    if (state.current === item) notice('Your time on this pair ran out. You can still answer: it counts if the pair still needs a vote.', 'warn');
  };
  if (left <= 0) warn();
  else state.expiryTimer = setTimeout(warn, Math.min(left, 2 ** 31 - 1));
}

function updateButtons() {
  const task = state.current?.task;
  for (const button of document.querySelectorAll('[data-choice]')) button.disabled = !task;
  $('undo').disabled = !state.last && window.prefloop.pending === 0;
}

// ---- the chain of network work

function work(step) {
  state.chain = state.chain.then(step).catch((e) => notice(`Something went wrong: ${e.message}`, 'error'));
  return state.chain;
}

/** Leases pairs until one is on screen and one is waiting; must run on the chain. */
async function topUp() {
  clearTimeout(state.pollTimer);
  const wasEmpty = state.empty;
  let found = 0;
  try {
    while ((state.current ? 1 : 0) + state.queue.length < 2) {
      const task = await call(state.key, 'GET', `v1/projects/${state.project.id}/tasks/next`);
      if (!task || knows(task)) { // at the lease limit the API hands back a lease this page holds already
        state.empty = !task;
        break;
      }
      state.empty = false;
      found++;
      enqueue(task);
      if (!state.current) advance(null);
    }
    if (wasEmpty && found > 0) refreshProgress();
  } catch (e) {
    if (e.status === 401) return signOut('Your key is no longer valid; sign in again.');
    notice(`Could not load the next pair (${e.message}); trying again.`, 'error');
    state.pollTimer = setTimeout(() => work(topUp), 3000);
    return;
  }
  if (!state.current) {
    advance(null);
    if (state.empty) state.pollTimer = setTimeout(() => work(topUp), 30000); // others' leases may come back
  }
}

async function post(task, choice, elapsed) {
  const key = newKey(); // one key for every retry of this press: the server counts it once
  const body = { choice, elapsed_ms: elapsed, task_id: task.task_id };
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(state.key, 'POST', `v1/pairs/${task.pair_id}/judgments`, body, { 'Idempotency-Key': key });
    } catch (e) {
      const retryable = !(e instanceof ApiError) || e.status >= 500 || e.status === 429;
      if (!retryable || attempt >= 5) throw e;
      await sleep(250 * 2 ** attempt);
    }
  }
}

function judge(side, t0) {
  const current = state.current;
  if (!current || (side === 'tie' && !state.project.allow_ties)) return;
  const task = current.task;
  const choice = side === 'left' ? task.left.choice : side === 'right' ? task.right.choice : side;
  const elapsed = Math.min(86400000, Math.round(performance.now() - current.shownAt));
  const late = Date.parse(task.expires_at) <= Date.now();
  window.prefloop.pending++;
  advance(t0);
  work(async () => {
    try {
      state.last = { judgment: await post(task, choice, elapsed), task };
    } catch (e) {
      state.last = null;
      failed(e, late);
    } finally {
      window.prefloop.pending--;
    }
    updateButtons();
    refreshProgress();
    await topUp();
  });
}

/** The second click of a double-click would judge the pair that the first one brought up: ignored. */
function click(event, side) {
  if (event.detail <= 1) judge(side, event.timeStamp);
}

function failed(e, late) {
  const title = e.problem?.title;
  if (e.status === 409 && (title === 'Lease expired' || (late && title !== 'Already judged'))) {
    notice('Your time on the last pair ran out and its vote went to another labeler, so that choice was not counted.', 'warn');
  } else if (e.status === 409 && title === 'Already judged') {
    // an earlier try of this press was stored; nothing is lost
  } else if (e.status === 409) {
    notice('The last pair got all its votes from others meanwhile; your choice was not needed.', 'warn');
  } else if (e.status === 401) {
    signOut('Your key is no longer valid; sign in again.');
  } else {
    notice(`Your choice on the last pair was not saved: ${e.message}`, 'error');
  }
}

function undo() {
  if (!state.last && window.prefloop.pending === 0) return notice('Nothing to undo.');
  work(async () => {
    const last = state.last;
    if (!last) return notice('Nothing to undo.');
    state.last = null;
    updateButtons();
    try {
      const result = await call(state.key, 'DELETE', `v1/judgments/${last.judgment.id}`);
      if (result.task) {
        if (state.current) {
          state.current.view.hidden = true;
          state.queue.unshift(state.current);
          state.current = null;
        }
        state.queue.unshift(build(result.task));
        advance(null);
        notice('Undone: your choice was taken back. Judge this pair again.');
      } else {
        notice('Undone, but the pair went to another labeler meanwhile.');
      }
    } catch (e) {
      if (e.status === 409) notice('Too late to undo: that pair has all its votes and its result is final.', 'warn');
      else if (e.status === 404) notice('That judgment was undone already.');
      else notice(`Could not undo: ${e.message}`, 'error');
    }
    refreshProgress();
  });
}

async function refreshProgress() {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  try {
    const p = await call(state.key, 'GET',
      `v1/projects/${state.project.id}/progress?since=${encodeURIComponent(midnight.toISOString())}`);
    const box = $('progress');
    box.textContent = `Today ${p.judged_since} judged · ${p.left_for_you} left for you · ${p.judgments_left} votes needed`;
    box.dataset.judgedToday = p.judged_since;
    box.dataset.leftForYou = p.left_for_you;
  } catch {
    // progress is a courtesy; the next judgment refreshes it
  }
}

// ---- input

const KEYS = {
  1: (t) => judge('left', t),
  2: (t) => judge('right', t),
  3: (t) => judge('tie', t),
  4: (t) => judge('both_bad', t),
  s: (t) => judge('skip', t),
  u: () => undo(),
  backspace: () => undo(),
  r: () => { if (!state.current) work(topUp); },
  i: () => { $('instructions').open = !$('instructions').open; },
};

function onKey(event) {
  if ($('labeling').hidden || event.target.closest?.('input, textarea, select')) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
    event.preventDefault();
    return undo();
  }
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return; // holding a key down is not many votes
  const action = KEYS[event.key.toLowerCase()];
  if (action) {
    event.preventDefault();
    action(event.timeStamp);
  }
}

function start() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut());
  $('switch-project').addEventListener('click', () => location.assign(location.pathname));
  $('check-again').addEventListener('click', () => work(topUp));
  $('undo').addEventListener('click', () => undo());
  for (const button of document.querySelectorAll('[data-choice]')) {
    button.addEventListener('click', (event) => click(event, button.dataset.choice));
  }
  document.addEventListener('keydown', onKey);
  updateButtons();
  const message = sessionStorage.getItem('prefloop.sign-in-message');
  sessionStorage.removeItem('prefloop.sign-in-message');
  if (!state.key) return showSignIn(message || '');
  open().catch((e) => notice(e.message, 'error'));
}

start();
