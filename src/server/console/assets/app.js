// The imagemill console: one page whose views (executions, one execution, gallery, one image,
// sign-in) are drawn from the server's JSON under /console/api/. Every text from the server is
// set as text (textContent, attribute values), never parsed as HTML; every value put in a URL is
// encoded, so an object key like "<script>.jpg" or "../../etc/passwd" is only ever shown.
'use strict';

const view = document.getElementById('view');
let timer = null;     // the polling of the view on screen
let generation = 0;   // bumped on each navigation: answers for an older view are dropped

// el('div', {class: 'x', onclick: f}, child, 'text', ...): an element; strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(path, options) {
  const init = {credentials: 'same-origin', headers: {}};
  if (options && options.body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-Imagemill-Console'] = '1';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch('/console/api/' + path, init);
  let body = {};
  try { body = await response.json(); } catch (e) { body = {message: response.statusText}; }
  if (response.status === 401 && path !== 'signin') { showSignIn(); throw new Error(body.message); }
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  return q.toString();
}

function rendition(item, size) {
  return '/console/rendition?' + query({source: item.source, id: item.id, size: size});
}

function imageLink(item) {
  return '#/image?' + query({source: item.source, id: item.id});
}

const fmt = {
  time(ms) { return ms ? new Date(ms).toLocaleString() : '—'; },
  seconds(s) {
    if (s === null || s === undefined) return '—';
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  },
  rate(r) { return r ? r.toFixed(1) + '/s' : '—'; },
  pct(x) { return (Math.round(x * 10) / 10).toString(); },
};

function status(s) { return el('span', {class: 'status ' + s}, s); }

function progressBar(c) {
  const total = Math.max(1, c.total);
  const part = (cls, n) => {
    const s = el('span', {class: cls});
    s.style.width = (100 * n / total) + '%';
    return s;
  };
  return el('div', {class: 'bar', title: `${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped of ${c.total}`},
            part('ok', c.succeeded), part('bad', c.failed), part('skip', c.skipped));
}

function show(...nodes) { view.replaceChildren(...nodes); }
function fail(where, e) { where.replaceChildren(el('p', {class: 'error'}, e.message)); }

// ---- Executions -----------------------------------------------------------------------------

function startForm(onStarted) {
  const bucket = el('input', {name: 'bucket', required: true, placeholder: 'bucket or /folder', size: 30});
  const prefix = el('input', {name: 'prefix', placeholder: 'sample/', size: 20});
  const message = el('p', {class: 'muted', id: 'start-message'});
  const button = el('button', {type: 'submit', id: 'start'}, 'Start');
  const form = el('form', {class: 'inline', id: 'start-form'},
                  el('label', {}, 'Bucket or folder', bucket), el('label', {}, 'Prefix', prefix), button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    message.className = 'muted';
    message.textContent = 'Starting…';
    try {
      const r = await api('executions', {body: {bucket: bucket.value, prefix: prefix.value}});
      message.textContent = 'Started ' + r.name + '.';
      onStarted(r.name);
    } catch (e) {
      message.className = 'error';
      message.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
  return el('div', {class: 'card'}, el('h2', {}, 'Label a bucket'), form, message);
}

function executionsView() {
  const table = el('tbody', {id: 'executions'});
  const area = el('div', {}, el('table', {},
      el('thead', {}, el('tr', {}, ['Execution', 'Status', 'Progress', 'Listed', 'Succeeded', 'Failed',
                                    'Skipped', 'Rate', 'ETA', 'Started'].map((h, i) =>
        el('th', {class: i >= 3 && i <= 8 ? 'num' : null}, h)))),
      table));
  const refresh = async () => {
    const mine = generation;
    try {
      const r = await api('executions');
      if (mine !== generation) return;
      table.replaceChildren(...r.executions.map((x) => {
        const c = x.itemCounts;
        return el('tr', {'data-name': x.name, 'data-status': x.status},
          el('td', {}, el('a', {href: '#/execution/' + encodeURIComponent(x.name)}, x.name),
             el('div', {class: 'muted'}, x.source + (x.prefix ? ' · ' + x.prefix : ''))),
          el('td', {}, status(x.status)), el('td', {}, progressBar(c)),
          el('td', {class: 'num'}, x.listed), el('td', {class: 'num succeeded'}, c.succeeded),
          el('td', {class: 'num'}, c.failed), el('td', {class: 'num'}, c.skipped),
          el('td', {class: 'num'}, fmt.rate(x.rate)), el('td', {class: 'num'}, fmt.seconds(x.eta)),
          el('td', {}, fmt.time(x.startMs)));
      }));
      if (r.executions.length === 0) {
        table.replaceChildren(el('tr', {}, el('td', {colspan: 10, class: 'muted'}, 'No executions yet.')));
      }
    } catch (e) { fail(table, e); }
  };
  show(el('h1', {}, 'Executions'), startForm(refresh), area);
  refresh();
  timer = setInterval(refresh, 1000);
}

function outcomesTable(items, id) {
  if (items.length === 0) return el('p', {class: 'muted'}, 'None.');
  return el('table', {id: id}, el('thead', {}, el('tr', {}, el('th', {}, 'Key'), el('th', {}, 'Error'),
                                                   el('th', {}, 'Cause'), el('th', {class: 'num'}, 'Attempts'))),
    el('tbody', {}, items.map((o) => el('tr', {}, el('td', {class: 'key'}, o.key), el('td', {}, o.error),
                                         el('td', {}, o.cause), el('td', {class: 'num'}, o.attempts)))));
}

function executionView(name) {
  const body = el('div', {});
  const message = el('p', {id: 'action-message'});
  const act = async (what) => {
    message.className = 'muted';
    message.textContent = what === 'stop' ? 'Stopping…' : 'Redriving…';
    try {
      await api('executions/' + encodeURIComponent(name) + '/' + what, {body: {}});
      message.textContent = what === 'stop' ? 'Stopped.' : 'Redriven.';
      refresh();
    } catch (e) { message.className = 'error'; message.textContent = e.message; }
  };
  const refresh = async () => {
    const mine = generation;
    try {
      const x = await api('executions/' + encodeURIComponent(name));
      if (mine !== generation) return;
      const c = x.itemCounts;
      const running = x.status === 'RUNNING';
      body.replaceChildren(
        el('div', {class: 'card'},
          el('dl', {class: 'facts'},
            el('dt', {}, 'Status'), el('dd', {id: 'status'}, status(x.status)),
            el('dt', {}, 'Source'), el('dd', {}, x.source), el('dt', {}, 'Prefix'), el('dd', {}, x.prefix || '(every object)'),
            el('dt', {}, 'Map run'), el('dd', {}, x.mapRunId),
            el('dt', {}, 'Started'), el('dd', {}, fmt.time(x.startMs)),
            el('dt', {}, 'Stopped'), el('dd', {}, fmt.time(x.stopMs)),
            el('dt', {}, 'Duration'), el('dd', {}, fmt.seconds(x.seconds)),
            el('dt', {}, 'Rate'), el('dd', {}, fmt.rate(x.rate)),
            el('dt', {}, 'ETA'), el('dd', {}, fmt.seconds(x.eta)),
            el('dt', {}, 'Tolerated failures'),
            el('dd', {}, fmt.pct(x.toleratedFailurePercentage) + ' %' +
                         (x.toleratedFailureCount ? ' or ' + x.toleratedFailureCount + ' items' : '')),
            el('dt', {}, 'Redrives'), el('dd', {}, x.redriveCount),
            x.error ? [el('dt', {}, 'Error'), el('dd', {class: 'error'}, x.error)] : null,
            x.cause ? [el('dt', {}, 'Cause'), el('dd', {class: 'error'}, x.cause)] : null,
            x.manifest ? [el('dt', {}, 'Manifest'), el('dd', {}, x.manifest)] : null),
          x.actions ? el('p', {},
            el('button', {id: 'stop', class: 'secondary', disabled: !running, onclick: () => act('stop')}, 'Stop'), ' ',
            el('button', {id: 'redrive', class: 'secondary', disabled: running || x.status === 'SUCCEEDED',
                          onclick: () => act('redrive')}, 'Redrive')) : null,
          message),
        el('h2', {}, 'Map run'),
        el('table', {id: 'counts'}, el('tbody', {},
          ['total', 'pending', 'running', 'succeeded', 'failed', 'skipped', 'unchanged', 'aborted', 'timedOut', 'resultsWritten']
            .map((k) => el('tr', {}, el('th', {}, k), el('td', {class: 'num', 'data-count': k}, c[k]))))),
        el('h2', {}, 'Labels found'),
        x.labelsFound.length ? el('div', {class: 'chips'}, x.labelsFound.map(([n, k]) =>
          el('a', {class: 'chip', href: '#/gallery?' + query({label: n})}, n + ' ' + k))) : el('p', {class: 'muted'}, 'None yet.'),
        el('h2', {}, 'Failed items'), outcomesTable(x.failedItems, 'failed-items'),
        el('h2', {}, 'Skipped items'), outcomesTable(x.skippedItems, 'skipped-items'));
    } catch (e) { fail(body, e); }
  };
  show(el('h1', {}, name), body);
  refresh();
  // Redrawn every second while it runs; a finished one stays still (buttons stay clickable).
  timer = setInterval(() => { if (body.querySelector('#status .RUNNING') || !body.firstChild) refresh(); }, 1000);
}

// ---- Gallery --------------------------------------------------------------------------------

function galleryView(params) {
  const label = el('input', {name: 'label', id: 'search-label', value: params.get('label') || '', placeholder: 'Dog, Animal…'});
  const min = el('input', {name: 'min', type: 'number', min: 0, max: 100, value: params.get('min') || ''});
  const category = el('input', {name: 'category', value: params.get('category') || '', placeholder: 'Animals and Pets'});
  const form = el('form', {class: 'inline', id: 'search'}, el('label', {}, 'Label (or parent)', label),
                  el('label', {}, 'Min confidence', min), el('label', {}, 'Category', category),
                  el('button', {type: 'submit'}, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/gallery?' + query({label: label.value.trim(), min: min.value, category: category.value.trim()});
  });
  const facets = el('div', {class: 'facets', id: 'facets'});
  const grid = el('div', {class: 'grid', id: 'gallery'});
  const more = el('button', {class: 'secondary', id: 'more', hidden: true}, 'More');
  const status = el('p', {class: 'muted'});
  const base = {label: params.get('label'), min: params.get('min'), category: params.get('category')};
  let next = null;
  const load = async () => {
    const mine = generation;
    more.disabled = true;
    try {
      const r = await api('gallery?' + query({...base, ...(next || {})}));
      if (mine !== generation) return;
      for (const item of r.items) {
        grid.append(el('a', {class: 'tile', href: imageLink(item), 'data-id': item.id},
          el('div', {class: 'thumb'}, el('img', {src: rendition(item, 240), alt: item.id, loading: 'lazy'})),
          el('div', {class: 'caption'}, el('div', {class: 'name'}, item.id),
             el('div', {class: 'chips'}, item.labels.map((l) => el('span', {class: 'chip'}, l.name + ' ' + Math.round(l.confidence)))))));
      }
      next = r.next;
      more.hidden = !next;
      status.textContent = grid.children.length ? grid.children.length + ' shown' : 'No labelled image matches.';
    } catch (e) { fail(status, e); }
    more.disabled = false;
  };
  more.addEventListener('click', load);
  api('facets').then((r) => {
    facets.replaceChildren(el('h2', {}, 'Labels'), ...r.facets.map((f) =>
      el('a', {href: '#/gallery?' + query({label: f.name}), class: f.name === base.label ? 'active' : null},
         el('span', {}, f.name), el('span', {class: 'count'}, f.count))));
  }).catch((e) => fail(facets, e));
  show(el('h1', {}, 'Gallery'), el('div', {class: 'card'}, form),
       el('div', {class: 'layout'}, facets, el('div', {}, grid, status, more)));
  load();
}

// ---- One image ------------------------------------------------------------------------------

function imageView(params) {
  const source = params.get('source'), id = params.get('id');
  const body = el('div', {});
  show(el('h1', {id: 'image-key'}, id || ''), body);
  api('image?' + query({source, id})).then((r) => {
    const answer = r.response || {};
    const labels = (answer.Labels || []);
    const picture = el('div', {class: 'picture', id: 'picture'},
                       el('img', {src: rendition({source, id}, 1024), alt: id, id: 'picture-img'}));
    const toggles = el('div', {id: 'toggles'});
    // A colour per label, so that overlapping boxes of two labels stay apart.
    const palette = ['#ffd400', '#00e5ff', '#ff5ca8', '#7cfc00', '#ff8c00', '#c3a6ff'];
    labels.forEach((l, li) => { l.colour = palette[li % palette.length]; });
    for (const l of labels) {
      const boxes = (l.Instances || []).map((inst, i) => {
        const b = inst.BoundingBox;
        const box = el('div', {class: 'box', 'data-label': l.Name, 'data-index': i,
                               'data-left': b.Left, 'data-top': b.Top, 'data-width': b.Width, 'data-height': b.Height},
                       el('span', {}, l.Name + ' ' + Math.round(inst.Confidence)));
        box.style.left = (100 * b.Left) + '%';
        box.style.top = (100 * b.Top) + '%';
        box.style.width = (100 * b.Width) + '%';
        box.style.height = (100 * b.Height) + '%';
        box.style.borderColor = l.colour;
        box.firstChild.style.background = l.colour;
        picture.append(box);
        return box;
      });
      const check = el('input', {type: 'checkbox', checked: true, disabled: boxes.length === 0, 'data-label': l.Name});
      const swatch = () => { const k = el('span', {class: 'key-colour'}); k.style.background = l.colour; return k; };
      check.addEventListener('change', () => boxes.forEach((b) => b.classList.toggle('hidden', !check.checked)));
      toggles.append(el('label', {class: 'toggle'},
        el('span', {}, check, boxes.length ? swatch() : null, ' ', l.Name, ' ', el('span', {class: 'muted'},
          Math.round(l.Confidence * 10) / 10 + (boxes.length ? ' · ' + boxes.length + ' box' + (boxes.length > 1 ? 'es' : '') : ''))),
        (l.Parents || []).length ? el('span', {class: 'muted'}, 'in ' + l.Parents.map((p) => p.Name).join(', ')) : null));
    }
    const props = answer.ImageProperties;
    const side = el('div', {},
      el('div', {class: 'card'}, el('h2', {}, 'Labels'), labels.length ? toggles : el('p', {class: 'muted'}, 'No label.')),
      props ? el('div', {class: 'card', id: 'properties'}, el('h2', {}, 'Image properties'),
        props.Quality ? el('dl', {class: 'facts'},
          ['Brightness', 'Sharpness', 'Contrast'].map((k) => [el('dt', {}, k), el('dd', {}, fmt.pct(props.Quality[k]))])) : null,
        el('div', {class: 'swatches'}, (props.DominantColors || []).map((c) => {
          const sw = el('div', {});
          sw.style.background = /^#[0-9a-fA-F]{6}$/.test(c.HexCode) ? c.HexCode : 'transparent';
          return el('div', {class: 'swatch', title: (c.CSSColor || '') + ' ' + (c.SimplifiedColor || '')},
                    sw, c.HexCode, el('br'), fmt.pct(c.PixelPercent) + ' %');
        }))) : null,
      el('div', {class: 'card'}, el('h2', {}, 'Labelled'),
        el('dl', {class: 'facts'},
          el('dt', {}, 'Source'), el('dd', {}, r.source),
          el('dt', {}, 'When'), el('dd', {}, r.updatedAt),
          el('dt', {}, 'Execution'), el('dd', {}, r.execution ? el('a', {href: '#/execution/' + encodeURIComponent(r.execution)}, r.execution) : '—'),
          el('dt', {}, 'Model'), el('dd', {}, r.processor), el('dt', {}, 'Model version'), el('dd', {}, answer.LabelModelVersion || '—'),
          el('dt', {}, 'ETag'), el('dd', {}, r.etag), el('dt', {}, 'Size'), el('dd', {}, r.size + ' bytes'))));
    body.replaceChildren(el('div', {class: 'image-page'}, el('div', {}, picture), side),
      el('h2', {}, 'DetectLabels answer'), el('pre', {class: 'json', id: 'answer'}, JSON.stringify(answer, null, 2)));
  }).catch((e) => fail(body, e));
}

// ---- Sign-in and navigation -----------------------------------------------------------------

function showSignIn() {
  generation++;
  clearInterval(timer);
  const keyId = el('input', {name: 'keyId', autocomplete: 'username', required: true});
  const secret = el('input', {name: 'secret', type: 'password', autocomplete: 'current-password', required: true});
  const message = el('p', {class: 'error'});
  const form = el('form', {class: 'card signin', id: 'signin'}, el('h1', {}, 'Sign in'),
    el('p', {class: 'muted'}, 'With one of the access keys this server accepts (its --credentials file or AWS_ACCESS_KEY_ID).'),
    el('label', {}, 'Access key id', keyId), el('label', {}, 'Secret access key', secret), el('p', {}, el('button', {type: 'submit'}, 'Sign in')), message);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('signin', {body: {keyId: keyId.value, secret: secret.value}});
      document.getElementById('signout').hidden = false;
      route();
    } catch (e) { message.textContent = e.message; }
  });
  show(form);
}

function route() {
  generation++;
  clearInterval(timer);
  const hash = location.hash.replace(/^#/, '') || '/executions';
  const [path, search] = hash.split('?');
  const params = new URLSearchParams(search || '');
  document.getElementById('nav-executions').classList.toggle('active', path.startsWith('/execution'));
  document.getElementById('nav-gallery').classList.toggle('active', path.startsWith('/gallery') || path.startsWith('/image'));
  if (path.startsWith('/execution/')) executionView(decodeURIComponent(path.slice('/execution/'.length)));
  else if (path === '/gallery') galleryView(params);
  else if (path === '/image') imageView(params);
  else executionsView();
}

async function start() {
  const signout = document.getElementById('signout');
  signout.addEventListener('click', async () => {
    await api('signout', {body: {}});
    signout.hidden = true;
    showSignIn();
  });
  window.addEventListener('hashchange', route);
  try {
    const s = await api('session');
    signout.hidden = s.open || !s.signedIn;
    if (!s.signedIn) return showSignIn();
  } catch (e) { return fail(view, e); }
  route();
}

start();
