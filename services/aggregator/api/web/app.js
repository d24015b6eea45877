// JobInTech dashboard page: plain JavaScript, no dependency, nothing loaded
// from outside this server. Reads the JSON views (protobuf JSON mapping) and
// follows /api/v1/stream (Server-Sent Events) for live updates.
'use strict';

const I18N = {
  fr: {
    title: 'Tableau de bord JobInTech', track: 'Filière', cohort: 'Cohorte', gender: 'Genre',
    all: 'Toutes', women: 'Femmes', men: 'Hommes', visibility: 'Vue', public: 'Publique',
    internal: 'Interne', national: 'National', keyFigures: 'Chiffres clés', funnel: 'Entonnoir',
    genderSplit: 'Part des femmes', regions: 'Régions', provinces: 'Provinces et préfectures',
    trends: 'Tendances (90 jours)', metric: 'Indicateur', definitions: 'Définitions des indicateurs',
    close: 'Fermer', footer: "Chaque chiffre provient d'une définition du registre (identifiant, version).",
    scopeNational: 'Maroc — national', scopeRegion: 'Région', lastEvent: 'Dernier événement',
    lag: 'retard', held: 'en attente', checkpoint: 'Point de reprise', live: 'en direct',
    offline: 'déconnecté', current: 'actuel', cumulative: 'cumul', ratio: 'taux', median: 'médiane',
    provisional: 'provisoire', suppressedNote: '<k : petit effectif, masqué',
    cohortInternal: 'Cohortes : vue interne seulement', maskedNote: 'x : masqué pour protéger un petit effectif voisin', noData: 'sans donnée',
    id: 'Identifiant', version: 'Version', kind: 'Nature', numerator: 'Numérateur',
    denominator: 'Dénominateur', exclusions: 'Exclusions', window: 'Fenêtre', seriesDate: 'Date des séries',
    province: 'Province', total: 'Total', applied: 'Candidatures', admitted: 'Admis',
    enrolled: 'Inscrits', completed: 'Achevées', placed: 'Insérés', lang: 'العربية', days: 'j',
    whySuppressed: 'Petit effectif (moins de {k}) : le chiffre exact n\'est pas publié, pour que personne ne puisse être reconnu.',
    whyMasked: 'Masqué : sinon un petit effectif voisin pourrait être recalculé à partir des totaux publiés.',
    freshnessDetail: 'Fraîcheur des données',
  },
  ar: {
    title: 'لوحة قيادة JobInTech', track: 'الشعبة', cohort: 'الفوج', gender: 'الجنس', all: 'الكل',
    women: 'النساء', men: 'الرجال', visibility: 'العرض', public: 'عمومي', internal: 'داخلي',
    national: 'وطني', keyFigures: 'الأرقام الرئيسية', funnel: 'مسار المتدربين', genderSplit: 'نسبة النساء',
    regions: 'الجهات', provinces: 'الأقاليم والعمالات', trends: 'المنحى (90 يوما)', metric: 'المؤشر',
    definitions: 'تعاريف المؤشرات', close: 'إغلاق',
    footer: 'كل رقم مأخوذ من تعريف في السجل (المعرف، النسخة).', scopeNational: 'المغرب — وطني',
    scopeRegion: 'جهة', lastEvent: 'آخر حدث', lag: 'تأخر', held: 'في الانتظار', checkpoint: 'نقطة الاستئناف',
    live: 'مباشر', offline: 'غير متصل', current: 'حالي', cumulative: 'تراكمي', ratio: 'نسبة',
    median: 'وسيط', provisional: 'مؤقت', suppressedNote: '\u2066<k\u2069: عدد صغير محجوب',
    cohortInternal: 'الأفواج: في العرض الداخلي فقط', maskedNote: 'x: محجوب لحماية عدد صغير مجاور', noData: 'لا معطيات',
    id: 'المعرف', version: 'النسخة', kind: 'الطبيعة', numerator: 'البسط', denominator: 'المقام',
    exclusions: 'الاستثناءات', window: 'الفترة', seriesDate: 'تاريخ السلاسل', province: 'الإقليم',
    total: 'المجموع', applied: 'الترشيحات', admitted: 'المقبولون', enrolled: 'المسجلون',
    completed: 'أتموا التكوين', placed: 'المدمجون', lang: 'Français', days: 'يوم',
    whySuppressed: 'عدد صغير (أقل من {k}): لا ينشر الرقم الدقيق حتى لا يمكن التعرف على أي شخص.',
    whyMasked: 'محجوب: وإلا أمكن حساب عدد صغير مجاور انطلاقا من المجاميع المنشورة.',
    freshnessDetail: 'حداثة المعطيات',
  },
};
const TILE_METRICS = ['applicants', 'enrolled_now', 'active_now', 'waitlisted_now', 'completed',
  'certified', 'dropped_out', 'withdrawn', 'completion_rate', 'placement_rate_6m',
  'placement_rate_6m_provisional', 'placement_rate_12m', 'placement_rate_12m_provisional',
  'median_days_to_placement', 'retention_same_employer_6m', 'target_progress'];
const FUNNEL = [['applicants', 'applied'], ['admitted', 'admitted'], ['enrolled', 'enrolled'],
  ['completed', 'completed'], ['placed', 'placed']];
const WOMEN = ['women_share_applicants', 'women_share_admitted', 'women_share_enrolled',
  'women_share_completed', 'women_share_placed'];

const state = {
  lang: localStorage.getItem('jit.lang') || 'fr',
  region: '', track: '', cohort: '', gender: '', visibility: 'public',
  defs: {}, defsOrder: [], summary: null, regions: null, regionNames: {},
  source: null, live: false, refreshTimer: null, lastTables: 0,
};

const $ = (id) => document.getElementById(id);
const t = (key) => (I18N[state.lang] || I18N.fr)[key] || key;
// Styles through the CSSOM, never a style attribute: the page runs under a
// Content-Security-Policy without 'unsafe-inline'.
const setStyle = (e, css) => {
  for (const decl of String(css).split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) e.style.setProperty(decl.slice(0, i).trim(), decl.slice(i + 1).trim());
  }
};

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v;
    else if (k === 'style') setStyle(e, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};

function query(extra = {}) {
  const p = new URLSearchParams();
  if (state.region) p.set('region', state.region);
  if (state.track) p.set('track', state.track);
  // Cohorts are not published on public views.
  if (state.cohort && state.visibility !== 'public') p.set('cohort', state.cohort);
  if (state.gender) p.set('gender', state.gender);
  p.set('visibility', state.visibility);
  for (const [k, v] of Object.entries(extra)) if (v === null) p.delete(k); else p.set(k, v);
  return p.toString();
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
}

function title(id) { const d = state.defs[id]; return d ? d.title[state.lang] || d.title.fr : id; }

function kindLabel(d) {
  if (!d) return '';
  if (d.provisional) return t('provisional');
  return { METRIC_KIND_CURRENT: t('current'), METRIC_KIND_CUMULATIVE: t('cumulative'),
    METRIC_KIND_RATIO: t('ratio'), METRIC_KIND_MEDIAN: t('median') }[d.kind] || '';
}

function tooltip(id) {
  const d = state.defs[id];
  if (!d) return id;
  const L = state.lang;
  const lines = [`${title(id)} (${d.metricId} v${d.version})`, d.description[L]];
  lines.push(`${t('numerator')}: ${d.numerator[L]}`);
  if (d.denominator[L]) lines.push(`${t('denominator')}: ${d.denominator[L]}`);
  lines.push(`${t('exclusions')}: ${d.exclusions[L]}`, `${t('window')}: ${d.timeWindow[L]}`);
  return lines.join('\n');
}

function formatFigure(f) {
  if (!f) return { text: '-', cls: '' };
  if (f.state === 'FIGURE_STATE_SUPPRESSED') return { text: f.display, cls: 'suppressed' };
  // Hidden so that totals cannot give away a small count elsewhere.
  if (f.state === 'FIGURE_STATE_MASKED') return { text: f.display, cls: 'suppressed masked' };
  if (f.state !== 'FIGURE_STATE_VALUE') return { text: '–', cls: 'suppressed' };
  const d = state.defs[f.metricId];
  const locale = state.lang === 'ar' ? 'ar-MA' : 'fr-MA';
  const unit = d ? d.unit : 'METRIC_UNIT_TRAINEES';
  if (unit === 'METRIC_UNIT_RATIO') {
    const digits = f.value > 0 && f.value < 0.01 ? 2 : 1;
    return { text: new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: digits,
      maximumFractionDigits: digits }).format(f.value), cls: '' };
  }
  if (unit === 'METRIC_UNIT_DAYS') {
    return { text: `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(f.value)} ${t('days')}`, cls: '' };
  }
  return { text: new Intl.NumberFormat(locale).format(f.value), cls: '' };
}

// A figure's text, isolated left-to-right so that "<5", "12,5 %" and
// numbers read the same inside Arabic text; a hidden figure says why on
// hover and on keyboard focus, in the page's language.
function figureNode(f, v) {
  const attrs = { dir: 'ltr', text: v.text };
  if (f && (f.state === 'FIGURE_STATE_SUPPRESSED' || f.state === 'FIGURE_STATE_MASKED')) {
    const k = (state.summary && state.summary.suppressionThreshold) || 5;
    const why = f.state === 'FIGURE_STATE_MASKED' ? t('whyMasked') : t('whySuppressed').replace('{k}', k);
    Object.assign(attrs, { class: 'why', title: why, 'data-why': why, 'aria-label': `${v.text} — ${why}`,
      tabindex: '0' });
  }
  return el('bdi', attrs);
}

function figureMap(figures, ids) {
  const out = {};
  (figures || []).forEach((f, i) => { out[ids ? ids[i] : f.metricId] = f; });
  return out;
}

function showDefinition(id) {
  const d = state.defs[id];
  if (!d) return;
  const L = state.lang;
  $('def-title').textContent = `${title(id)} — ${kindLabel(d)}`;
  $('def-description').textContent = d.description[L];
  const dl = $('def-fields');
  dl.replaceChildren();
  const rows = [[t('id'), `${d.metricId} (v${d.version})`], [t('numerator'), d.numerator[L]],
    [t('denominator'), d.denominator[L] || '—'], [t('exclusions'), d.exclusions[L]],
    [t('window'), d.timeWindow[L]], [t('seriesDate'), d.seriesDate[L]]];
  for (const [k, v] of rows) dl.append(el('dt', { text: k }), el('dd', { text: v }));
  const dialog = $('definition');
  if (typeof dialog.showModal === 'function') { if (!dialog.open) dialog.showModal(); }
  else dialog.setAttribute('open', '');
}

function metricAttrs(id) {
  return { 'data-metric': id, title: tooltip(id), tabindex: '0', role: 'button',
    onclick: () => showDefinition(id), onkeydown: (e) => { if (e.key === 'Enter') showDefinition(id); } };
}

function renderTiles() {
  const figs = figureMap(state.summary && state.summary.figures);
  const box = $('tiles');
  box.replaceChildren();
  for (const id of TILE_METRICS) {
    const f = figs[id];
    const d = state.defs[id];
    const v = formatFigure(f);
    box.append(el('div', Object.assign({ class: `tile${d && d.provisional ? ' provisional' : ''}` }, metricAttrs(id)),
      el('span', { class: 'kind', text: kindLabel(d) }),
      el('div', { class: 'label', text: title(id) }),
      el('div', { class: `value ${v.cls}` }, figureNode(f, v))));
  }
}

function renderFunnel() {
  const figs = figureMap(state.summary && state.summary.figures);
  const top = Math.max(1, ...FUNNEL.map(([id]) => (figs[id] && figs[id].value) || 0));
  const box = $('funnel');
  box.replaceChildren();
  for (const [id, key] of FUNNEL) {
    const f = figs[id];
    const v = formatFigure(f);
    const width = f && f.state === 'FIGURE_STATE_VALUE' ? (100 * f.value) / top : 0;
    box.append(el('div', Object.assign({ class: 'step' }, metricAttrs(id)),
      el('span', { text: t(key) }),
      el('div', { class: 'bar' }, el('span', { style: `width:${width.toFixed(1)}%` })),
      el('span', { class: `num ${v.cls}` }, figureNode(f, v))));
  }
  const g = $('gender');
  g.replaceChildren();
  WOMEN.forEach((id, i) => {
    const f = figs[id];
    const v = formatFigure(f);
    const width = f && f.state === 'FIGURE_STATE_VALUE' ? 100 * f.value : 0;
    g.append(el('div', Object.assign({ class: 'step' }, metricAttrs(id)),
      el('span', { text: t(FUNNEL[i][1]) }),
      el('div', { class: 'bar' }, el('span', { style: `width:${width.toFixed(1)}%` })),
      el('span', { class: `num ${v.cls}` }, figureNode(f, v))));
  });
}

function renderScope() {
  const name = state.region ? `${t('scopeRegion')} ${state.region} — ${state.regionNames[state.region] || ''}`
    : t('scopeNational');
  $('scope-label').textContent = name;
  $('province-scope').textContent = state.region ? `— ${state.regionNames[state.region] || state.region}` : '';
}

function renderRegions() {
  if (!state.regions) return;
  const ids = state.regions.metricIds;
  const box = $('regions');
  box.replaceChildren();
  for (const row of state.regions.regions) {
    const name = state.lang === 'ar' ? row.nameAr : row.nameFr;
    state.regionNames[row.regionCode] = name;
    const figs = figureMap(row.figures, ids);
    const dl = el('dl');
    for (const id of ['applicants', 'enrolled_now', 'completed', 'completion_rate', 'placement_rate_6m']) {
      const v = formatFigure(figs[id]);
      dl.append(el('dt', Object.assign({}, metricAttrs(id), { text: title(id), onclick: (e) => { e.stopPropagation(); showDefinition(id); } })),
        el('dd', { class: v.cls }, figureNode(figs[id], v)));
    }
    const area = `r${row.regionCode.slice(3)}`;
    box.append(el('div', { class: 'region', 'data-region': row.regionCode, style: `grid-area:${area}`,
      'aria-pressed': String(state.region === row.regionCode), role: 'button', tabindex: '0',
      onclick: () => selectRegion(state.region === row.regionCode ? '' : row.regionCode) },
      el('span', { class: 'code', text: row.regionCode }), el('span', { class: 'name', text: name }), dl));
  }
  renderScope();
}

function renderProvinces(table) {
  const ids = table.metricIds;
  const thead = $('provinces').tHead;
  thead.replaceChildren();
  const hr = el('tr', {}, el('th', { text: t('province') }));
  for (const id of ids) hr.append(el('th', Object.assign({ class: 'num' }, metricAttrs(id)), title(id)));
  thead.append(hr);
  const body = $('provinces').tBodies[0];
  body.replaceChildren();
  const row = (r, cls) => {
    const tr = el('tr', { class: cls || '', 'data-province': r.provinceCode || '' },
      el('td', { text: r.provinceCode ? `${r.name} (${r.provinceCode})` : `${t('total')} — ${r.name}` }));
    const figs = figureMap(r.figures, ids);
    for (const id of ids) { const v = formatFigure(figs[id]); tr.append(el('td', { class: `num ${v.cls}`, text: v.text })); }
    return tr;
  };
  // Nationally, list the provinces with data (all 75 would drown them);
  // within a region, every province.
  const hasData = (r) => (r.figures || []).some((f) => f.state === 'FIGURE_STATE_SUPPRESSED'
    || f.state === 'FIGURE_STATE_MASKED' || (f.state === 'FIGURE_STATE_VALUE' && f.value !== 0));
  for (const r of table.provinces) if (state.region || hasData(r)) body.append(row(r));
  const foot = $('provinces').tFoot;
  foot.replaceChildren(row(table.total, 'total'));
}

function renderChart(series) {
  const box = $('trend');
  const pts = series.points.map((p) => ({ d: p.date, f: p.figure }));
  const values = pts.map((p) => (p.f.state === 'FIGURE_STATE_VALUE' ? p.f.value : null));
  const known = values.filter((v) => v !== null);
  const max = Math.max(1e-9, ...known);
  const W = 800, H = 200, L = 50, B = 20;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 10}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title(series.metricId));
  const mk = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
  svg.append(mk('line', { class: 'axis', x1: L, y1: H - B, x2: W, y2: H - B }));
  svg.append(mk('line', { class: 'axis', x1: L, y1: 0, x2: L, y2: H - B }));
  const x = (i) => L + ((W - L) * i) / Math.max(1, pts.length - 1);
  const y = (v) => H - B - ((H - B - 10) * v) / max;
  let path = '';
  values.forEach((v, i) => { if (v !== null) path += `${path ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `; });
  if (path) svg.append(mk('path', { class: 'line', d: path }));
  const unit = (state.defs[series.metricId] || {}).unit;
  const label = (v) => (unit === 'METRIC_UNIT_RATIO' ? `${(v * 100).toFixed(0)}%` : String(Math.round(v * 10) / 10));
  const top = mk('text', { x: 2, y: 14 }); top.textContent = known.length ? label(max) : '';
  const zero = mk('text', { x: 2, y: H - B }); zero.textContent = '0';
  svg.append(top, zero);
  if (pts.length) {
    const fmt = (d) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    const a = mk('text', { x: L, y: H + 8 }); a.textContent = fmt(pts[0].d);
    const b = mk('text', { x: W - 60, y: H + 8 }); b.textContent = fmt(pts[pts.length - 1].d);
    svg.append(a, b);
  }
  box.replaceChildren(svg);
}

// One short line (live or not, the latest event), the technical detail
// folded away below it.
function renderFreshness(fr) {
  const box = $('freshness');
  box.replaceChildren();
  const locale = state.lang === 'ar' ? 'ar-MA' : 'fr-MA';
  const when = (ts) => (ts ? new Date(ts).toLocaleString(locale) : '—');
  const latest = ((fr && fr.topics) || []).map((x) => x.lastEventTime).filter(Boolean).sort().pop();
  const summary = $('freshness-summary');
  summary.replaceChildren(
    el('span', { class: state.live ? '' : 'stale', text: state.live ? `● ${t('live')}` : `○ ${t('offline')}` }),
    el('span', { text: ` · ${t('lastEvent')} ` }), el('bdi', { text: when(latest) }));
  summary.title = t('freshnessDetail');
  for (const topic of (fr && fr.topics) || []) {
    const short = topic.topic.replace('jobintech.', '').replace('.v1', '');
    box.append(el('span', { 'data-topic': topic.topic,
      text: `${short}: ${t('lastEvent')} ${when(topic.lastEventTime)} · ${t('lag')} ${topic.lag}` }));
  }
  if (fr) {
    box.append(el('span', { text: `${t('held')}: ${fr.heldEvents}` }));
    box.append(el('span', { text: `${t('checkpoint')}: ${when(fr.checkpointTime)}` }));
  }
}

function renderDefinitions() {
  const box = $('definitions');
  box.replaceChildren();
  const L = state.lang;
  for (const id of state.defsOrder) {
    const d = state.defs[id];
    box.append(el('article', metricAttrs(id),
      el('h4', { text: `${title(id)} · ${kindLabel(d)}` }),
      el('div', { text: `${d.metricId} v${d.version}` }),
      el('div', { text: d.description[L] })));
  }
  const sel = $('trend-metric');
  const current = sel.value || 'enrolled_now';
  sel.replaceChildren();
  // Public series are by geography only, without the women's shares.
  const isPublic = state.visibility === 'public';
  const ids = state.defsOrder.filter((id) => !(isPublic && id.startsWith('women_share_')));
  for (const id of ids) sel.append(el('option', { value: id, text: title(id) }));
  sel.value = ids.includes(current) ? current : 'enrolled_now';
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.documentElement.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
  document.title = t('title');
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  $('btn-lang').textContent = t('lang');
  $('btn-lang').lang = state.lang === 'ar' ? 'fr' : 'ar';
}

function renderAll() {
  applyLanguage();
  renderDefinitions();
  renderTiles();
  renderFunnel();
  renderRegions();
  renderFreshness(state.summary && state.summary.freshness);
}

async function loadTables() {
  state.lastTables = Date.now();
  const [regions, provinces, series] = await Promise.all([
    getJson(`/api/v1/regions?${query({ region: null })}`),
    getJson(`/api/v1/provinces?${query()}`),
    getJson(`/api/v1/timeseries?${query(state.visibility === 'public'
      ? { metric: $('trend-metric').value || 'enrolled_now', track: null, gender: null, cohort: null }
      : { metric: $('trend-metric').value || 'enrolled_now' })}`),
  ]);
  state.regions = regions;
  renderRegions();
  renderProvinces(provinces);
  renderChart(series);
}

function scheduleTables() {
  if (state.refreshTimer) return;
  const wait = Math.max(0, 2000 - (Date.now() - state.lastTables));
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    loadTables().catch((e) => console.warn('refresh failed', e.message));
  }, wait);
}

function onSummary(summary) {
  state.summary = summary;
  renderTiles();
  renderFunnel();
  renderFreshness(summary.freshness);
  document.body.dataset.version = summary.stateVersion;
  scheduleTables();
}

function connect() {
  if (state.source) state.source.close();
  const source = new EventSource(`/api/v1/stream?${query()}`);
  state.source = source;
  source.addEventListener('summary', (e) => {
    state.live = true;
    onSummary(JSON.parse(e.data).summary);
  });
  source.onerror = () => {
    state.live = false;
    renderFreshness(state.summary && state.summary.freshness);
    // A refusal (503 when the server holds its maximum of streams) closes an
    // EventSource for good; a dropped stream reconnects by itself. Retry the
    // former later, spread out so that refused pages do not return at once.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(() => { if (state.source === source) connect(); }, 5000 + Math.random() * 10000);
    }
  };
}

async function loadCatalogue() {
  const cat = await getJson('/api/v1/catalogue');
  const fill = (sel, items, value, label) => {
    const keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    for (const it of items) sel.append(el('option', { value: value(it), text: label(it) }));
    sel.value = keep;
  };
  fill($('f-track'), cat.tracks, (x) => x.trackId,
    (x) => (state.lang === 'ar' ? x.nameAr : x.nameFr) || x.trackId);
  fill($('f-cohort'), cat.cohorts, (x) => x.cohortId, (x) => x.name || x.cohortId);
}

// Public views take no cohort filter and their series none but geography.
function syncFilters() {
  $('f-cohort').disabled = state.visibility === 'public';
  $('f-cohort').title = state.visibility === 'public' ? t('cohortInternal') : '';
  renderAll();
}

async function refreshAll() {
  const summary = await getJson(`/api/v1/summary?${query()}`);
  onSummary(summary.summary);
  await loadTables();
  connect();
}

function selectRegion(code) {
  state.region = code;
  renderScope();
  refreshAll().catch((e) => console.warn(e.message));
}

async function main() {
  const defs = await getJson('/api/v1/metrics');
  for (const d of defs.metrics) { state.defs[d.metricId] = d; state.defsOrder.push(d.metricId); }
  renderAll();
  await loadCatalogue().catch(() => {});
  // Public views only: internal (exact) figures need a bearer token, which a
  // page's EventSource cannot send; analysts use the API or jitctl.
  for (const [id, key] of [['f-track', 'track'], ['f-cohort', 'cohort'], ['f-gender', 'gender']]) {
    $(id).addEventListener('change', (e) => {
      state[key] = e.target.value;
      syncFilters();
      refreshAll().catch((x) => console.warn(x.message));
    });
  }
  syncFilters();
  $('trend-metric').addEventListener('change', () => loadTables().catch((x) => console.warn(x.message)));
  $('btn-national').addEventListener('click', () => selectRegion(''));
  $('btn-lang').addEventListener('click', () => {
    state.lang = state.lang === 'fr' ? 'ar' : 'fr';
    localStorage.setItem('jit.lang', state.lang);
    renderAll();
    loadTables().catch(() => {});
    loadCatalogue().catch(() => {});
  });
  await refreshAll();
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  document.body.dataset.error = e.message;
  console.error('dashboard failed to start:', e.message);
});
