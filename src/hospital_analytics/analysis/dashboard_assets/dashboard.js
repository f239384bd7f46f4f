/* hospital-analytics interactive dashboard: plain JavaScript drawing SVG, no library, no network.
 *
 * The page carries the dashboard marts (gzip + base64 in #dashboard-data): a cube of cells (month x gender x
 * age group x diagnosis category x admission type) with additive measures, facets (length of stay, weekday
 * of admission and discharge, diagnosis) keyed by cell, the patient-month table that counts distinct
 * patients over any month range, and the daily census. Filtering = choosing cells; every number is a sum
 * over the chosen cells. window.hospitalDashboard is the automation hook (see the README).
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var LOS_CAP = 30; // the length-of-stay chart gathers stays of LOS_CAP days and more in its last bar

  var model = null; // the decoded data, once loaded
  var filters = null; // {from, to: month indices; <dimension key>: value index or null}
  var resolveReady, rejectReady;
  var ready = new Promise(function (resolve, reject) { resolveReady = resolve; rejectReady = reject; });

  // ---------------------------------------------------------------------------------------------------
  // Formatting
  function fmtInt(n) { return Math.round(n).toLocaleString('en-US'); }
  function fmtCount(n) { return Math.abs(n) >= 1e7 ? fmtFixed(n / 1e6, 2) + 'M' : fmtInt(n); } // fits a tile
  function fmtFixed(n, digits) {
    return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function fmtPct(x, digits) { return fmtFixed(100 * x, digits) + '%'; }
  function fmtMoney(v) {
    var sizes = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M']];
    for (var i = 0; i < sizes.length; i++) {
      if (Math.abs(v) >= sizes[i][0]) return '$' + fmtFixed(v / sizes[i][0], 2) + sizes[i][1];
    }
    return '$' + fmtInt(v);
  }
  function fmtCompact(n) {
    if (Math.abs(n) >= 1e6) return trimZero(n / 1e6) + 'M';
    if (Math.abs(n) >= 1e4) return trimZero(n / 1e3) + 'k';
    return fmtInt(n);
  }
  function trimZero(x) { return (Math.round(x * 10) / 10).toString(); }
  function fmtNumber(x) { // median: 3 or 3.5
    return Number.isInteger(x) ? fmtInt(x) : fmtFixed(x, 1);
  }
  function monthLabel(i) {
    var parts = model.months[i].split('-');
    return MONTHS[Number(parts[1]) - 1] + ' ' + parts[0];
  }
  function rangeLabel() {
    return filters.from === filters.to ? monthLabel(filters.from) : monthLabel(filters.from) + ' – ' + monthLabel(filters.to);
  }

  // ---------------------------------------------------------------------------------------------------
  // Data
  function decode() {
    var text = document.getElementById('dashboard-data').textContent.trim();
    if (typeof DecompressionStream === 'undefined') {
      return Promise.reject(new Error('This browser cannot unpack the dashboard\u2019s data (it needs DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+).'));
    }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).json();
  }

  function undelta(values) {
    var out = new Int32Array(values.length), sum = 0;
    for (var i = 0; i < values.length; i++) { sum += values[i]; out[i] = sum; }
    return out;
  }

  function prepare(raw) {
    var cells = raw.cells;
    var m = {
      months: raw.months,
      days: raw.days,
      dimensions: raw.dimensions,
      census: raw.census,
      size: cells.month.length,
      month: Int32Array.from(cells.month),
      codes: {},
      measures: {},
      kpis: raw.kpis,
      facets: {},
      patients: raw.patients
    };
    raw.dimensions.forEach(function (d) { m.codes[d.key] = Int32Array.from(cells[d.key]); });
    Object.keys(raw.scales).forEach(function (name) { // whole numbers in the page; money came in cents
      var scale = raw.scales[name];
      m.measures[name] = Float64Array.from(cells[name]).map(function (v) { return v / scale; });
    });
    Object.keys(raw.facets).forEach(function (name) {
      var f = raw.facets[name];
      m.facets[name] = {
        values: f.values, labels: f.labels, cell: undelta(f.cell), value: Int32Array.from(f.value),
        stays: Float64Array.from(f.stays), bed_days: Float64Array.from(f.bed_days)
      };
    });
    m.dimension = {};
    raw.dimensions.forEach(function (d) { m.dimension[d.key] = d; });
    return m;
  }

  function emptyFilters() {
    var f = { from: 0, to: model.months.length - 1, defect: null, table: null };
    model.dimensions.forEach(function (d) { f[d.key] = null; });
    return f;
  }

  // Which cells pass the filters; `except` names one filter to ignore ('date' or a dimension key), so that a
  // chart of that dimension still shows every value of it (the chosen one highlighted).
  function mask(except) {
    var out = new Uint8Array(model.size);
    var active = model.dimensions.filter(function (d) { return d.key !== except && filters[d.key] !== null; });
    var useDate = except !== 'date';
    for (var i = 0; i < model.size; i++) {
      if (useDate && (model.month[i] < filters.from || model.month[i] > filters.to)) continue;
      var ok = true;
      for (var k = 0; k < active.length; k++) {
        if (model.codes[active[k].key][i] !== filters[active[k].key]) { ok = false; break; }
      }
      if (ok) out[i] = 1;
    }
    return out;
  }

  function totals(cellMask) {
    var t = {}, names = Object.keys(model.measures);
    names.forEach(function (n) { t[n] = 0; });
    for (var i = 0; i < model.size; i++) {
      if (!cellMask[i]) continue;
      for (var k = 0; k < names.length; k++) t[names[k]] += model.measures[names[k]][i];
    }
    return t;
  }

  function byMonth(cellMask) {
    var n = model.months.length, out = { admissions: new Float64Array(n), bed_days: new Float64Array(n), patient_days: new Float64Array(n) };
    for (var i = 0; i < model.size; i++) {
      if (!cellMask[i]) continue;
      var m = model.month[i];
      out.admissions[m] += model.measures.admissions[i];
      out.bed_days[m] += model.measures.bed_days[i];
      out.patient_days[m] += model.measures.patient_days[i];
    }
    return out;
  }

  function byDimension(key, cellMask) {
    var out = new Float64Array(model.dimension[key].values.length), codes = model.codes[key];
    for (var i = 0; i < model.size; i++) if (cellMask[i]) out[codes[i]] += model.measures.admissions[i];
    return out;
  }

  function byFacet(name, cellMask) {
    var f = model.facets[name];
    if (!f) return null;
    var stays = new Float64Array(f.values.length), bedDays = new Float64Array(f.values.length);
    for (var i = 0; i < f.cell.length; i++) {
      if (!cellMask[f.cell[i]]) continue;
      stays[f.value[i]] += f.stays[i];
      bedDays[f.value[i]] += f.bed_days[i];
    }
    return { values: f.values, labels: f.labels, stays: stays, bed_days: bedDays };
  }

  // Median of a histogram (values ascending, counts): the middle value, or the mean of the two middle ones.
  function histogramMedian(values, counts) {
    var total = 0;
    for (var i = 0; i < counts.length; i++) total += counts[i];
    if (!total) return null;
    function nth(k) { // k-th value (0-based) in sorted order
      var seen = 0;
      for (var j = 0; j < counts.length; j++) { seen += counts[j]; if (k < seen) return values[j]; }
      return values[values.length - 1];
    }
    return total % 2 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
  }

  // Distinct patients admitted in months from..to with the filters: exact when at most one stay attribute
  // (age group, diagnosis category, admission type) is filtered, since each patient-month row knows the
  // patient's next admission month with such a stay (see the dashboard_patient_months mart). Null otherwise.
  function distinctPatients() {
    var p = model.patients;
    var stayFilters = p.dimensions.slice(1).filter(function (key) { return filters[key] !== null; });
    if (stayFilters.length > 1) return null;
    var dim = stayFilters.length ? p.dimensions.indexOf(stayFilters[0]) : 0;
    var value = stayFilters.length ? filters[stayFilters[0]] : 0;
    var gender = filters.gender, count = 0;
    for (var i = 0; i < p.patients.length; i++) {
      if (p.dimension[i] !== dim || p.value[i] !== value) continue;
      if (gender !== null && p.gender[i] !== gender) continue;
      var month = p.month[i];
      if (month < filters.from || month > filters.to) continue;
      count += p.patients[i];
      if (p.next[i] >= 0 && p.next[i] <= filters.to) count -= p.patients[i];
    }
    return count;
  }

  function daysInRange() {
    var days = 0;
    for (var m = filters.from; m <= filters.to; m++) days += model.days[m];
    return days;
  }

  // A measure of the KPI definition (models/semantic/kpis.yml) for the filtered stays; mirrors dashboard.py's
  // _computable: additive measures are sums over the chosen cells, the others have their own table.
  function measureValue(measure, t, context) {
    if (measure.model === 'fct_hospitalizations' && ADDITIVE[measure.agg]) return t[measure.name];
    var kind = [measure.model, measure.agg, measure.expr].join(' ');
    if (kind === 'fct_hospitalizations count_distinct patient_id') return distinctPatients();
    if (kind === 'fct_hospitalizations median length_of_stay_days') return context.median;
    if (kind === 'daily_census average patients_in_hospital') return context.days ? t.patient_days / context.days : null;
    throw new Error('The dashboard cannot compute measure ' + measure.name);
  }
  var ADDITIVE = { count: 1, sum: 1, sum_boolean: 1 };

  function computeKpis() {
    var all = mask(null), t = totals(all), los = byFacet('length_of_stay', all);
    var context = { median: los ? histogramMedian(los.values.map(Number), los.stays) : null, days: daysInRange() };
    var out = {};
    model.kpis.forEach(function (kpi) {
      if (kpi.measure) {
        out[kpi.name] = measureValue(kpi.measure, t, context);
      } else {
        var num = measureValue(kpi.numerator, t, context), den = measureValue(kpi.denominator, t, context);
        out[kpi.name] = num === null || !den ? null : num / den;
      }
      if (kpi.format === 'money' && out[kpi.name] !== null) out[kpi.name] = Math.round(out[kpi.name] * 100) / 100;
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------------
  // KPI tiles
  var FORMATS = {
    integer: fmtCount, number: fmtNumber, money: fmtMoney,
    decimal1: function (v) { return fmtFixed(v, 1); }, decimal2: function (v) { return fmtFixed(v, 2); },
    percent1: function (v) { return fmtPct(v, 1); }, percent2: function (v) { return fmtPct(v, 2); }
  };

  function tileNote(kpi, k) {
    if (kpi.name === 'admissions') return rangeLabel();
    if (kpi.measure && kpi.measure.agg === 'count_distinct' && k[kpi.name] === null) return 'needs one stay filter at most';
    return kpi.description;
  }

  function renderTiles(k) {
    var host = document.getElementById('kpis');
    if (!host.children.length) {
      model.kpis.forEach(function (kpi) {
        var box = document.createElement('div');
        box.className = 'kpi';
        box.setAttribute('data-kpi', kpi.name);
        box.innerHTML = '<div class="label"></div><div class="value"><span class="number"></span><span class="unit"></span></div><div class="note"></div>';
        box.querySelector('.label').textContent = kpi.label;
        host.appendChild(box);
      });
    }
    model.kpis.forEach(function (kpi) {
      var box = host.querySelector('[data-kpi="' + kpi.name + '"]');
      var v = k[kpi.name];
      var missing = v === null || v === undefined;
      box.classList.toggle('unavailable', missing);
      box.querySelector('.number').textContent = missing ? '–' : FORMATS[kpi.format](v);
      box.querySelector('.unit').textContent = missing || !kpi.unit ? '' : kpi.unit;
      box.querySelector('.note').textContent = tileNote(kpi, k);
      box.title = missing
        ? 'Distinct patients need patient-level data when two or more of age group, diagnosis category and admission type are filtered.'
        : kpi.label + ': ' + kpi.description + ' (' + String(v) + ')';
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // SVG helpers
  function svgEl(tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var node = svgEl('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }
  function niceStep(max, count) {
    var raw = max / Math.max(count, 1), power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }
  function niceScale(min, max, count) {
    if (max <= min) max = min + 1;
    var step = niceStep(max - min, count), lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
    var ticks = [];
    for (var v = lo; v <= hi + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
    return { lo: lo, hi: hi, ticks: ticks };
  }
  function frame(card, height) {
    var plot = card.querySelector('.plot');
    while (plot.firstChild) plot.removeChild(plot.firstChild);
    var width = Math.max(plot.clientWidth, 240);
    var svg = svgEl('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' }, plot);
    svg.setAttribute('aria-label', card.querySelector('h2').textContent);
    return { svg: svg, width: width, height: height };
  }
  function yAxis(g, scale, x0, x1, y, format) {
    scale.ticks.forEach(function (t) {
      var yy = y(t);
      svgEl('line', { x1: x0, x2: x1, y1: yy, y2: yy, class: 'grid-line' }, g);
      text(g, x0 - 6, yy + 4, format(t), { 'text-anchor': 'end' });
    });
  }
  function emptyNote(f, message) {
    text(f.svg, f.width / 2, f.height / 2, message || 'No stays match the filters', { 'text-anchor': 'middle', class: 'empty' });
  }

  // Tooltip: one floating box, filled with text only (labels come from data).
  var tooltip = null;
  function showTip(event, title, lines) {
    tooltip = tooltip || document.getElementById('tooltip');
    while (tooltip.firstChild) tooltip.removeChild(tooltip.firstChild);
    var strong = document.createElement('strong');
    strong.textContent = title;
    tooltip.appendChild(strong);
    lines.forEach(function (line) {
      var div = document.createElement('div');
      div.textContent = line;
      tooltip.appendChild(div);
    });
    tooltip.hidden = false;
    var x = event.clientX + 14, y = event.clientY + 14, box = tooltip.getBoundingClientRect();
    if (x + box.width > window.innerWidth - 8) x = event.clientX - box.width - 14;
    if (y + box.height > window.innerHeight - 8) y = event.clientY - box.height - 14;
    tooltip.style.left = x + 'px';
    tooltip.style.top = y + 'px';
  }
  function hideTip() { if (tooltip) tooltip.hidden = true; }
  function withTip(node, title, lines) {
    node.addEventListener('mousemove', function (e) { showTip(e, title, lines); });
    node.addEventListener('mouseleave', hideTip);
    return node;
  }

  function share(part, whole) { return whole ? ' (' + fmtPct(part / whole, 1) + ')' : ''; }
  function sum(values) { var s = 0; for (var i = 0; i < values.length; i++) s += values[i]; return s; }

  // ---------------------------------------------------------------------------------------------------
  // Month axis shared by the time charts
  function monthTicks(g, x, step, y) {
    var every = step >= 30 ? 1 : step >= 15 ? 3 : step >= 7 ? 6 : 12;
    model.months.forEach(function (label, i) {
      var parts = label.split('-'), month = Number(parts[1]);
      if ((month - 1) % every && i) return;
      text(g, x(i), y, MONTHS[month - 1], { 'text-anchor': 'middle' });
      if (month === 1 || i === 0) text(g, x(i), y + 13, parts[0], { 'text-anchor': 'middle' });
    });
  }

  function fullRange() { return filters.from === 0 && filters.to === model.months.length - 1; }

  function admissionsChart(series) {
    var f = frame(document.getElementById('chart-admissions'), 250);
    var n = model.months.length, left = 52, right = 10, top = 10, bottom = 36;
    var plotW = f.width - left - right, plotH = f.height - top - bottom, step = plotW / n;
    var scale = niceScale(0, Math.max.apply(null, series.admissions) || 1, 5);
    var y = function (v) { return top + plotH - (v - scale.lo) / (scale.hi - scale.lo) * plotH; };
    var x = function (i) { return left + step * (i + 0.5); };
    yAxis(f.svg, scale, left, f.width - right, y, fmtCompact);
    monthTicks(f.svg, x, step, f.height - bottom + 16);
    var barW = Math.max(step * 0.76, 1), whole = fullRange();
    for (var i = 0; i < n; i++) {
      var v = series.admissions[i];
      var inRange = i >= filters.from && i <= filters.to;
      svgEl('rect', { x: x(i) - barW / 2, y: y(v), width: barW, height: Math.max(y(0) - y(v), 0), class: 'bar' + (whole || inRange ? '' : ' dim') }, f.svg);
    }
    svgEl('line', { x1: left, x2: f.width - right, y1: y(0), y2: y(0), class: 'axis-line' }, f.svg);
    // Brush: drag to choose months, click one month, click the chosen month again to clear.
    var brush = svgEl('rect', { x: 0, y: top, width: 0, height: plotH, class: 'brush', visibility: 'hidden' }, f.svg);
    var overlay = svgEl('rect', { x: left, y: top, width: plotW, height: plotH, class: 'overlay' }, f.svg);
    overlay.setAttribute('data-role', 'brush');
    var start = null;
    function index(event) {
      var box = f.svg.getBoundingClientRect();
      var px = (event.clientX - box.left) * (f.width / box.width);
      return Math.min(n - 1, Math.max(0, Math.floor((px - left) / step)));
    }
    function draw(a, b) {
      var lo = Math.min(a, b), hi = Math.max(a, b);
      brush.setAttribute('x', left + lo * step);
      brush.setAttribute('width', (hi - lo + 1) * step);
      brush.setAttribute('visibility', 'visible');
    }
    overlay.addEventListener('pointerdown', function (e) {
      start = index(e);
      overlay.setPointerCapture(e.pointerId);
      draw(start, start);
      hideTip();
    });
    overlay.addEventListener('pointermove', function (e) {
      var i = index(e);
      if (start !== null) { draw(start, i); return; }
      showTip(e, monthLabel(i), [fmtInt(series.admissions[i]) + ' admissions']);
    });
    overlay.addEventListener('pointerleave', hideTip);
    overlay.addEventListener('pointerup', function (e) {
      if (start === null) return;
      var end = index(e), lo = Math.min(start, end), hi = Math.max(start, end);
      start = null;
      if (lo === hi && filters.from === lo && filters.to === hi) setRange(0, n - 1);
      else setRange(lo, hi);
    });
  }

  function stayChart(series) {
    var f = frame(document.getElementById('chart-stay'), 250);
    var n = model.months.length, left = 40, right = 12, top = 10, bottom = 36;
    var plotW = f.width - left - right, plotH = f.height - top - bottom, step = plotW / n;
    var points = [];
    for (var i = 0; i < n; i++) points.push(series.admissions[i] ? series.bed_days[i] / series.admissions[i] : null);
    var present = points.filter(function (p) { return p !== null; });
    if (!present.length) { emptyNote(f); return; }
    var lo = Math.min.apply(null, present), hi = Math.max.apply(null, present);
    var scale = niceScale(Math.max(0, lo - (hi - lo) * 0.25 - 0.1), hi + (hi - lo) * 0.15 + 0.1, 4);
    var y = function (v) { return top + plotH - (v - scale.lo) / (scale.hi - scale.lo) * plotH; };
    var x = function (k) { return left + step * (k + 0.5); };
    if (!fullRange()) {
      svgEl('rect', { x: left + filters.from * step, y: top, width: (filters.to - filters.from + 1) * step, height: plotH, class: 'band' }, f.svg);
    }
    yAxis(f.svg, scale, left, f.width - right, y, function (v) { return fmtFixed(v, 1); });
    monthTicks(f.svg, x, step, f.height - bottom + 16);
    var d = '', pen = false;
    points.forEach(function (p, k) {
      if (p === null) { pen = false; return; }
      d += (pen ? 'L' : 'M') + x(k).toFixed(1) + ',' + y(p).toFixed(1);
      pen = true;
    });
    svgEl('path', { d: d, class: 'line' }, f.svg);
    points.forEach(function (p, k) {
      if (p === null) return;
      var inRange = k >= filters.from && k <= filters.to;
      withTip(svgEl('circle', { cx: x(k), cy: y(p), r: 3.2, class: 'dot' + (fullRange() || inRange ? '' : ' dim') }, f.svg),
        monthLabel(k), [fmtFixed(p, 2) + ' days on average', fmtInt(series.admissions[k]) + ' admissions']);
    });
  }

  // The census chart's view: null = every stay of the system, else [view index, option index] (a hospital,
  // or one kind of unit across the system: occupancy_daily). The stay filters above do not reach it.
  var censusView = null;
  var censusNote = ''; // the caption of the whole system's view, as the page wrote it (buildCensusView)

  function censusSeries() {
    var census = model.census;
    if (censusView === null) return { values: census.values, beds: census.beds, label: 'All stays', filtered: true };
    var view = census.views[censusView[0]], option = view.options[censusView[1]];
    return { values: option.values, beds: option.beds, label: option.label, filtered: false };
  }

  function censusChart(series) {
    var f = frame(document.getElementById('chart-census'), 250);
    var census = model.census, shown = censusSeries(), values = shown.values, beds = shown.beds;
    var left = 52, right = 10, top = 26, bottom = 36;
    var plotW = f.width - left - right, plotH = f.height - top - bottom;
    var start = new Date(census.start + 'T00:00:00Z').getTime(), dayMs = 864e5;
    var first = new Date(model.months[0] + '-01T00:00:00Z').getTime();
    var lastMonth = model.months[model.months.length - 1].split('-');
    var end = Date.UTC(Number(lastMonth[0]), Number(lastMonth[1]), 1);
    var x = function (t) { return left + (t - first) / (end - first) * plotW; };
    var monthly = [];
    model.months.forEach(function (m, i) { monthly.push(model.days[i] ? series.patient_days[i] / model.days[i] : null); });
    var max = Math.max(Math.max.apply(null, values), beds ? Math.max.apply(null, beds) : 0, 1);
    var scale = niceScale(0, max, 5);
    var y = function (v) { return top + plotH - v / scale.hi * plotH; };
    var monthStart = function (i) { var p = model.months[i].split('-'); return Date.UTC(Number(p[0]), Number(p[1]) - 1, 1); };
    if (!fullRange()) {
      var a = x(monthStart(filters.from)), b = filters.to + 1 < model.months.length ? x(monthStart(filters.to + 1)) : left + plotW;
      svgEl('rect', { x: a, y: top, width: b - a, height: plotH, class: 'band' }, f.svg);
    }
    yAxis(f.svg, scale, left, f.width - right, y, fmtCompact);
    var step = plotW / model.months.length;
    monthTicks(f.svg, function (i) { return x(monthStart(i)) + step / 2; }, step, f.height - bottom + 16);
    var d = '';
    values.forEach(function (v, i) { d += (i ? 'L' : 'M') + x(start + i * dayMs).toFixed(1) + ',' + y(v).toFixed(1); });
    svgEl('path', { d: d, class: shown.filtered ? 'line context' : 'line single' }, f.svg);
    document.getElementById('census-note').textContent = shown.filtered
      ? censusNote // the page's own caption
      : 'Daily census of ' + shown.label + ' against its staffed beds (occupancy_daily); the stay filters do not apply here.';
    if (beds) {
      var bd = '';
      beds.forEach(function (v, i) { bd += (i ? 'L' : 'M') + x(start + i * dayMs).toFixed(1) + ',' + y(v).toFixed(1); });
      svgEl('path', { d: bd, class: 'line beds' }, f.svg);
    }
    var sd = '';
    monthly.forEach(function (v, i) {
      if (v === null) return;
      var a0 = x(Math.max(monthStart(i), start)), a1 = i + 1 < model.months.length ? x(monthStart(i + 1)) : left + plotW;
      sd += 'M' + a0.toFixed(1) + ',' + y(v).toFixed(1) + 'H' + a1.toFixed(1);
    });
    if (shown.filtered) svgEl('path', { d: sd, class: 'line' }, f.svg);
    svgEl('line', { x1: left, x2: f.width - right, y1: y(0), y2: y(0), class: 'axis-line' }, f.svg);
    var legend = svgEl('g', { class: 'legend', transform: 'translate(' + left + ',10)' }, f.svg);
    var items = [[shown.filtered ? 'line context' : 'line single', shown.label + ', each day']];
    if (shown.filtered) items.push(['line', 'Filtered stays, monthly average']);
    if (beds) items.push(['line beds', 'Staffed beds']);
    var lx = 0;
    items.forEach(function (item) {
      svgEl('line', { x1: lx, x2: lx + 18, y1: 0, y2: 0, class: item[0] }, legend);
      var label = text(legend, lx + 24, 4, item[1]);
      lx += 24 + label.getComputedTextLength() + 18;
    });
    var overlay = svgEl('rect', { x: left, y: top, width: plotW, height: plotH, class: 'overlay' }, f.svg);
    overlay.addEventListener('mousemove', function (e) {
      var box = f.svg.getBoundingClientRect(), px = (e.clientX - box.left) * (f.width / box.width);
      var t = first + (px - left) / plotW * (end - first), i = Math.round((t - start) / dayMs);
      if (i < 0 || i >= values.length) { hideTip(); return; }
      var day = new Date(start + i * dayMs), m = model.months.indexOf(day.toISOString().slice(0, 7));
      var lines = [fmtInt(values[i]) + ' patients (' + (shown.filtered ? 'all stays' : shown.label) + ')'];
      if (shown.filtered && m >= 0 && monthly[m] !== null) lines.push(fmtFixed(monthly[m], 1) + ' filtered, average of ' + monthLabel(m));
      if (beds) lines.push(fmtInt(beds[i]) + ' staffed beds' + (beds[i] ? ', ' + fmtFixed(100 * values[i] / beds[i], 1) + '% occupied' : ''));
      showTip(e, day.getUTCDate() + ' ' + MONTHS[day.getUTCMonth()] + ' ' + day.getUTCFullYear(), lines);
    });
    overlay.addEventListener('mouseleave', hideTip);
  }

  function weekdayChart(cellMask) {
    var f = frame(document.getElementById('chart-weekday'), 250);
    var adm = byFacet('admission_weekday', cellMask), dis = byFacet('discharge_weekday', cellMask);
    if (!adm || !sum(adm.stays)) { emptyNote(f); return; }
    var left = 46, right = 8, top = 26, bottom = 24, plotW = f.width - left - right, plotH = f.height - top - bottom;
    var n = adm.values.length, step = plotW / n;
    var max = Math.max(Math.max.apply(null, adm.stays), dis ? Math.max.apply(null, dis.stays) : 0);
    var scale = niceScale(0, max, 4), y = function (v) { return top + plotH - v / scale.hi * plotH; };
    yAxis(f.svg, scale, left, f.width - right, y, fmtCompact);
    var barW = step * 0.36, totalA = sum(adm.stays), totalD = dis ? sum(dis.stays) : 0;
    for (var i = 0; i < n; i++) {
      var cx = left + step * (i + 0.5);
      withTip(svgEl('rect', { x: cx - barW - 1, y: y(adm.stays[i]), width: barW, height: y(0) - y(adm.stays[i]), class: 'bar' }, f.svg),
        adm.labels[i], [fmtInt(adm.stays[i]) + ' admissions' + share(adm.stays[i], totalA)]);
      if (dis) {
        withTip(svgEl('rect', { x: cx + 1, y: y(dis.stays[i]), width: barW, height: y(0) - y(dis.stays[i]), class: 'bar alt' }, f.svg),
          dis.labels[i], [fmtInt(dis.stays[i]) + ' discharges' + share(dis.stays[i], totalD)]);
      }
      text(f.svg, cx, f.height - bottom + 15, adm.labels[i], { 'text-anchor': 'middle' });
    }
    svgEl('line', { x1: left, x2: f.width - right, y1: y(0), y2: y(0), class: 'axis-line' }, f.svg);
    var legend = svgEl('g', { class: 'legend', transform: 'translate(' + left + ',10)' }, f.svg);
    svgEl('rect', { x: 0, y: -6, width: 10, height: 10, class: 'bar' }, legend);
    var a = text(legend, 14, 3, 'Admissions');
    svgEl('rect', { x: 28 + a.getComputedTextLength(), y: -6, width: 10, height: 10, class: 'bar alt' }, legend);
    text(legend, 42 + a.getComputedTextLength(), 3, 'Discharges');
  }

  // Horizontal bars: rows [{label, value, detail, selected, onClick}]
  function horizontalBars(card, rows, options) {
    var rowH = options.rowHeight || 24, top = 4;
    var f = frame(card, top + rows.length * rowH + 8);
    var total = sum(rows.map(function (r) { return r.value; }));
    if (!total) { emptyNote(f); return; }
    var labelW = Math.min(options.labelWidth || 150, f.width * 0.45), valueW = options.valueWidth || 86;
    var left = labelW + 8, plotW = Math.max(f.width - left - valueW, 20);
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; })) || 1;
    var anySelected = rows.some(function (r) { return r.selected; });
    rows.forEach(function (r, i) {
      var y0 = top + i * rowH, g = svgEl('g', {}, f.svg);
      var label = text(g, labelW, y0 + rowH / 2 + 4, r.label, { 'text-anchor': 'end' });
      fitText(label, labelW);
      var w = r.value / max * plotW;
      svgEl('rect', { x: left, y: y0 + 3, width: Math.max(w, r.value ? 1 : 0), height: rowH - 6, class: 'bar' + (r.cls ? ' ' + r.cls : '') + (anySelected && !r.selected ? ' dim' : '') }, g);
      text(g, left + w + 6, y0 + rowH / 2 + 4, r.detail || fmtInt(r.value), { class: 'value-label' });
      var hit = svgEl('rect', { x: 0, y: y0, width: f.width, height: rowH, fill: 'transparent' }, g);
      withTip(hit, r.title || r.label, r.lines || [fmtInt(r.value) + ' admissions' + share(r.value, total)]);
      if (r.onClick) {
        g.setAttribute('class', 'clickable');
        g.setAttribute('data-value', r.label);
        hit.addEventListener('click', r.onClick);
      }
    });
  }

  function fitText(node, width) {
    var full = node.textContent;
    if (node.getComputedTextLength() <= width) return;
    var lo = 0, hi = full.length;
    while (lo < hi) { // longest prefix that fits with an ellipsis
      var mid = Math.ceil((lo + hi) / 2);
      node.textContent = full.slice(0, mid) + '…';
      if (node.getComputedTextLength() <= width) lo = mid; else hi = mid - 1;
    }
    node.textContent = full.slice(0, lo) + '…';
  }

  function dimensionChart(cardId, key, options) {
    var card = document.getElementById(cardId), dim = model.dimension[key];
    if (!card || !dim) return;
    var values = byDimension(key, mask(key));
    var rows = dim.values.map(function (v, i) {
      return {
        label: dim.labels[i], value: values[i], selected: filters[key] === i,
        onClick: function () { var f = {}; f[key] = filters[key] === i ? null : i; applyFilters(f); }
      };
    });
    if (options && options.top && rows.length > options.top) {
      // Only the largest bars (and the one selected): a system has a hundred categories; the filter lists all.
      var ranked = rows.slice().sort(function (a, b) { return b.value - a.value; });
      var kept = ranked.slice(0, options.top);
      ranked.slice(options.top).forEach(function (r) { if (r.selected) kept.push(r); });
      rows = rows.filter(function (r) { return kept.indexOf(r) >= 0; });
      rows.sort(function (a, b) { return b.value - a.value; });
    }
    if (options && options.vertical) verticalBars(card, rows, options);
    else horizontalBars(card, rows, options || {});
  }

  function verticalBars(card, rows, options) {
    var f = frame(card, options.height || 210);
    var total = sum(rows.map(function (r) { return r.value; }));
    if (!total) { emptyNote(f); return; }
    var left = 46, right = 8, top = 18, bottom = 24, plotW = f.width - left - right, plotH = f.height - top - bottom;
    var step = plotW / rows.length, barW = Math.min(step * 0.7, 64);
    var scale = niceScale(0, Math.max.apply(null, rows.map(function (r) { return r.value; })), 4);
    var y = function (v) { return top + plotH - v / scale.hi * plotH; };
    yAxis(f.svg, scale, left, f.width - right, y, fmtCompact);
    var anySelected = rows.some(function (r) { return r.selected; });
    rows.forEach(function (r, i) {
      var cx = left + step * (i + 0.5), g = svgEl('g', {}, f.svg);
      svgEl('rect', { x: cx - barW / 2, y: y(r.value), width: barW, height: y(0) - y(r.value), class: 'bar' + (anySelected && !r.selected ? ' dim' : '') }, g);
      if (options.valueLabels !== false && step > 34) text(g, cx, y(r.value) - 4, fmtCompact(r.value), { 'text-anchor': 'middle', class: 'value-label' });
      if (!options.labelEvery || i % options.labelEvery === 0 || i === rows.length - 1) text(g, cx, f.height - bottom + 15, r.label, { 'text-anchor': 'middle' });
      var hit = svgEl('rect', { x: cx - step / 2, y: top, width: step, height: plotH + 4, fill: 'transparent' }, g);
      withTip(hit, r.title || r.label, r.lines || [fmtInt(r.value) + ' admissions' + share(r.value, total)]);
      if (r.onClick) {
        g.setAttribute('class', 'clickable');
        g.setAttribute('data-value', r.label);
        hit.addEventListener('click', r.onClick);
      }
    });
    svgEl('line', { x1: left, x2: f.width - right, y1: y(0), y2: y(0), class: 'axis-line' }, f.svg);
    if (options.marker !== undefined && options.marker !== null) {
      var mx = left + step * (options.marker + 0.5);
      svgEl('line', { x1: mx, x2: mx, y1: top - 6, y2: y(0), class: 'line beds' }, f.svg);
      text(f.svg, mx + 4, top - 6, options.markerLabel, { class: 'value-label' });
    }
  }

  function diagnosesChart(cellMask) {
    var card = document.getElementById('chart-diagnoses'), facet = byFacet('diagnosis', cellMask);
    if (!facet) return;
    var order = facet.values.map(function (v, i) { return i; }).filter(function (i) { return facet.stays[i] > 0; });
    order.sort(function (a, b) { return facet.stays[b] - facet.stays[a] || (facet.values[a] < facet.values[b] ? -1 : 1); });
    var total = sum(facet.stays);
    var rows = order.slice(0, 10).map(function (i) {
      var avg = facet.bed_days[i] / facet.stays[i];
      return {
        label: facet.values[i] + '  ' + facet.labels[i], value: facet.stays[i],
        detail: fmtInt(facet.stays[i]) + ' · ' + fmtFixed(avg, 1) + ' d',
        title: facet.values[i] + ' ' + facet.labels[i],
        lines: [fmtInt(facet.stays[i]) + ' stays' + share(facet.stays[i], total), fmtFixed(avg, 2) + ' days average stay']
      };
    });
    if (!rows.length) rows = [];
    horizontalBars(card, rows.length ? rows : [{ label: '', value: 0 }], { labelWidth: 290, valueWidth: 96, rowHeight: 31 });
  }

  function losChart(cellMask, median) {
    var card = document.getElementById('chart-los'), facet = byFacet('length_of_stay', cellMask);
    if (!facet) return;
    var counts = new Float64Array(LOS_CAP + 1);
    facet.values.forEach(function (v, i) { counts[Math.min(Number(v), LOS_CAP)] += facet.stays[i]; });
    var total = sum(counts);
    var rows = [];
    for (var d = 0; d <= LOS_CAP; d++) {
      var label = d === LOS_CAP ? LOS_CAP + '+' : String(d);
      rows.push({ label: label, value: counts[d], title: label + (d === 1 ? ' day' : ' days'), lines: [fmtInt(counts[d]) + ' stays' + share(counts[d], total)] });
    }
    verticalBars(card, rows, {
      height: 200, valueLabels: false, labelEvery: 1,
      marker: median === null ? null : Math.min(median, LOS_CAP), markerLabel: median === null ? '' : 'median ' + fmtNumber(median) + ' d'
    });
  }

  // Cards for dimensions the page has no dedicated chart for (e.g. a hospital, when the marts have one).
  function extraDimensionCards() {
    var known = { gender: 1, age_group: 1, diagnosis_category: 1, admission_type: 1 };
    model.dimensions.forEach(function (d) {
      if (known[d.key] || document.getElementById('chart-dim-' + d.key)) return;
      var card = document.createElement('figure');
      card.className = 'card span-6';
      card.id = 'chart-dim-' + d.key;
      card.innerHTML = '<figcaption><h2></h2><p>Admissions; click a bar to filter.</p></figcaption><div class="plot"></div>';
      card.querySelector('h2').textContent = d.label;
      document.querySelector('.grid').insertBefore(card, document.getElementById('chart-los'));
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // The data-quality sheet: the data-quality marts' issues by class, table and day (data_quality_summary),
  // what quarantine holds and what each rule did. The From/To months and the class and table filters apply.
  var DAY_MS = 864e5;
  var sheet = 'operations';
  var quality = null;

  function prepareQuality(raw) {
    var q = raw.quality || { present: false, defects: [], descriptions: [], tables: [], feed_tables: [], start: null,
      rows: { day: [], defect: [], table: [], issues: [] }, quarantine: [], rules: [], injected: null, profile: null };
    var start = q.start ? Date.parse(q.start + 'T00:00:00Z') : 0, n = q.rows.issues.length;
    var day = new Float64Array(n), month = new Int32Array(n);
    for (var i = 0; i < n; i++) {
      day[i] = start / DAY_MS + q.rows.day[i]; // days since 1970
      month[i] = raw.months.indexOf(new Date(day[i] * DAY_MS).toISOString().slice(0, 7));
    }
    return {
      present: q.present, defects: q.defects, descriptions: q.descriptions, tables: q.tables, feedTables: q.feed_tables,
      day: day, month: month, defect: Int32Array.from(q.rows.defect), table: Int32Array.from(q.rows.table),
      issues: Float64Array.from(q.rows.issues), quarantine: q.quarantine, rules: q.rules, injected: q.injected,
      profile: q.profile
    };
  }

  // Which summary rows pass the filters; `except` ('defect' or 'table') ignores that one, as the charts of it do.
  function qualityPasses(i, except) {
    if (!fullRange() && (quality.month[i] < filters.from || quality.month[i] > filters.to)) return false;
    if (except !== 'defect' && filters.defect !== null && quality.defect[i] !== filters.defect) return false;
    if (except !== 'table' && filters.table !== null && quality.table[i] !== filters.table) return false;
    return true;
  }

  function qualityCounts(except) {
    var out = { issues: 0, byDefect: new Float64Array(quality.defects.length), byTable: new Float64Array(quality.tables.length), byDay: {} };
    for (var i = 0; i < quality.issues.length; i++) {
      if (!qualityPasses(i, except)) continue;
      var v = quality.issues[i];
      out.issues += v;
      out.byDefect[quality.defect[i]] += v;
      out.byTable[quality.table[i]] += v;
      var key = quality.day[i];
      if (!out.byDay[key]) out.byDay[key] = new Float64Array(quality.defects.length);
      out.byDay[key][quality.defect[i]] += v;
    }
    return out;
  }

  function quarantineRows() {
    var table = filters.table === null ? null : quality.tables[filters.table];
    var defect = filters.defect === null ? null : quality.defects[filters.defect];
    return quality.quarantine.filter(function (r) { return (table === null || r.table === table) && (defect === null || r.reason === defect); });
  }

  function ruleRows() {
    var table = filters.table === null ? null : quality.tables[filters.table];
    var defect = filters.defect === null ? null : quality.defects[filters.defect];
    return quality.rules.filter(function (r) { return (defect === null || r.defect === defect) && (table === null || !r.table || r.table === table); });
  }

  function qualityResult() {
    var c = qualityCounts(null), held = 0;
    quarantineRows().forEach(function (r) { held += r.rows; });
    var byDefect = {}, byTable = {}, byDay = {};
    quality.defects.forEach(function (d, i) { if (c.byDefect[i]) byDefect[d] = c.byDefect[i]; });
    quality.tables.forEach(function (t, i) { if (c.byTable[i]) byTable[t] = c.byTable[i]; });
    Object.keys(c.byDay).forEach(function (key) { byDay[new Date(Number(key) * DAY_MS).toISOString().slice(0, 10)] = sum(c.byDay[key]); });
    return {
      issues: c.issues, classes: Object.keys(byDefect).length, tables: Object.keys(byTable).length, quarantined: held,
      by_defect: byDefect, by_table: byTable, by_day: byDay, present: quality.present
    };
  }

  function injectedCount() {
    if (!quality.injected) return null;
    var total = 0;
    Object.keys(quality.injected).forEach(function (name) {
      if (filters.defect === null || quality.defects[filters.defect] === name) total += quality.injected[name];
    });
    return total;
  }

  function qualityTiles(r) {
    var host = document.getElementById('quality-tiles');
    var injected = injectedCount();
    var tiles = [
      ['issues', 'Issues detected', fmtInt(r.issues), rangeLabel()],
      ['classes', 'Defect classes', fmtInt(r.classes), 'of the ' + fmtInt(quality.defects.length) + ' found in this data'],
      ['tables', 'Tables affected', fmtInt(r.tables), r.tables ? Object.keys(r.by_table).join(', ') : 'none'],
      ['quarantined', 'Rows in quarantine', fmtInt(r.quarantined), 'kept out of the marts (whole window)'],
      ['injected', 'Injected (ledger)', injected === null ? '–' : fmtInt(injected), injected === null ? 'no ledger counts in data/manifest.json' : 'data/defects.csv, profile ' + (quality.profile || '?') + (filters.table === null ? '' : ' (per class, every table)')]
    ];
    while (host.firstChild) host.removeChild(host.firstChild);
    tiles.forEach(function (t) {
      var box = document.createElement('div'), label = document.createElement('div'), value = document.createElement('div'), note = document.createElement('div');
      box.className = 'kpi' + (t[0] !== 'injected' && t[2] === '0' ? ' clean' : '');
      box.setAttribute('data-quality', t[0]);
      label.className = 'label'; label.textContent = t[1];
      value.className = 'value'; value.textContent = t[2];
      note.className = 'note'; note.textContent = t[3];
      box.appendChild(label); box.appendChild(value); box.appendChild(note);
      host.appendChild(box);
    });
  }

  function qualityVerdict() {
    var all = 0, held = 0;
    for (var i = 0; i < quality.issues.length; i++) all += quality.issues[i];
    quality.quarantine.forEach(function (r) { held += r.rows; });
    var made = quality.profile ? ' (generated with --defects ' + quality.profile + ')' : '';
    if (!all) {
      return 'No defects detected: ' + (quality.present ? 'every check passed and quarantine is empty' : 'this warehouse has no data-quality models (built before them); run hospital transform to build them') + made + '.';
    }
    var classes = quality.defects.length, tables = quality.tables.length;
    return fmtInt(all) + ' issues detected in ' + classes + ' defect class' + (classes === 1 ? '' : 'es') + ' and ' + tables +
      ' table' + (tables === 1 ? '' : 's') + '; ' + fmtInt(held) + ' rows held in quarantine' + made + '.';
  }

  function qualityDaysChart(counts) {
    var card = document.getElementById('chart-quality-days'), f = frame(card, 260);
    var left = 46, right = 10, top = 30, bottom = 36, plotW = f.width - left - right, plotH = f.height - top - bottom;
    var first = Date.parse(model.months[filters.from] + '-01T00:00:00Z') / DAY_MS;
    var last = model.months[filters.to].split('-');
    var end = Date.UTC(Number(last[0]), Number(last[1]), 1) / DAY_MS; // the day after the range
    var keys = Object.keys(counts.byDay).map(Number);
    if (fullRange()) keys.forEach(function (k) { first = Math.min(first, k); end = Math.max(end, k + 1); });
    if (!counts.issues) { emptyNote(f, quality.issues.length ? 'No issues match the filters' : 'No defects detected'); return; }
    var days = end - first, step = plotW / days, x = function (d) { return left + (d - first) * step; };
    var totals = keys.map(function (k) { return sum(counts.byDay[k]); });
    var scale = niceScale(0, Math.max(Math.max.apply(null, totals), 4), 4); // whole issues: at least 0..4
    var y = function (v) { return top + plotH - v / scale.hi * plotH; };
    yAxis(f.svg, scale, left, f.width - right, y, fmtCompact);
    model.months.forEach(function (m, i) { // a month label at each month start in view
      var p = m.split('-'), d = Date.UTC(Number(p[0]), Number(p[1]) - 1, 1) / DAY_MS, every = step * 30 >= 30 ? 1 : step * 30 >= 12 ? 3 : 6;
      if (d < first || d >= end || ((Number(p[1]) - 1) % every && i)) return;
      svgEl('line', { x1: x(d), x2: x(d), y1: y(0), y2: y(0) + 4, class: 'axis-line' }, f.svg);
      text(f.svg, x(d) + 2, f.height - bottom + 16, MONTHS[Number(p[1]) - 1] + (p[1] === '01' || d === first || i === 0 ? ' ' + p[0] : ''), {});
    });
    var barW = Math.max(step * 0.8, 1);
    keys.sort(function (a, b) { return a - b; }).forEach(function (k) {
      var g = svgEl('g', {}, f.svg), base = 0, lines = [], row = counts.byDay[k];
      quality.defects.forEach(function (name, c) {
        if (!row[c]) return;
        svgEl('rect', { x: x(k) + (step - barW) / 2, y: y(base + row[c]), width: barW, height: y(base) - y(base + row[c]), class: 'bar q' + (c % 10) }, g);
        base += row[c];
        lines.push(fmtInt(row[c]) + ' ' + name.replace(/_/g, ' '));
      });
      var hit = svgEl('rect', { x: x(k) - 2, y: top, width: Math.max(step, 1) + 4, height: plotH, fill: 'transparent' }, g);
      var date = new Date(k * DAY_MS);
      withTip(hit, date.getUTCDate() + ' ' + MONTHS[date.getUTCMonth()] + ' ' + date.getUTCFullYear() + ': ' + fmtInt(base) + ' issues', lines);
      g.setAttribute('data-day', date.toISOString().slice(0, 10));
    });
    svgEl('line', { x1: left, x2: f.width - right, y1: y(0), y2: y(0), class: 'axis-line' }, f.svg);
    var legend = svgEl('g', { class: 'legend', transform: 'translate(' + left + ',10)' }, f.svg), lx = 0;
    quality.defects.forEach(function (name, c) {
      if (!counts.byDefect[c]) return;
      svgEl('rect', { x: lx, y: -6, width: 10, height: 10, class: 'swatch q' + (c % 10) }, legend);
      var label = text(legend, lx + 14, 3, name.replace(/_/g, ' '));
      lx += 14 + label.getComputedTextLength() + 14;
    });
  }

  function qualityBars(cardId, names, values, key, describe) {
    var total = sum(values);
    var rows = names.map(function (name, i) {
      return {
        label: name.replace(/_/g, ' '), value: values[i], selected: filters[key] === i, cls: key === 'defect' ? 'q' + (i % 10) : '',
        title: name, lines: [fmtInt(values[i]) + ' issues' + share(values[i], total)].concat(describe ? [describe(i)] : []),
        onClick: function () { var f = {}; f[key] = filters[key] === i ? null : i; applyFilters(f); }
      };
    }).filter(function (r) { return r.value > 0 || r.selected; });
    var card = document.getElementById(cardId);
    if (!rows.length) { emptyNote(frame(card, 60), quality.issues.length ? 'No issues match the filters' : 'No defects detected'); return; }
    horizontalBars(card, rows, { labelWidth: 190, rowHeight: 24, valueWidth: 70 });
  }

  function fillTable(cardId, columns, rows, empty) {
    var host = document.getElementById(cardId).querySelector('.table-wrap');
    while (host.firstChild) host.removeChild(host.firstChild);
    if (!rows.length) {
      var p = document.createElement('p');
      p.textContent = empty;
      host.appendChild(p);
      return;
    }
    var table = document.createElement('table'), head = document.createElement('tr'), body = document.createElement('tbody');
    columns.forEach(function (c) {
      var th = document.createElement('th');
      th.textContent = c[1];
      if (c[2]) th.className = 'num';
      head.appendChild(th);
    });
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      columns.forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = c[2] ? fmtInt(r[c[0]]) : c[0] === 'model' ? 'quarantine_' + r.table : String(r[c[0]]);
        if (c[2]) td.className = 'num';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var thead = document.createElement('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    table.appendChild(body);
    host.appendChild(table);
  }

  function renderQuality() {
    var r = qualityResult();
    document.getElementById('quality-verdict').textContent = qualityVerdict();
    qualityTiles(r);
    qualityDaysChart(qualityCounts(null));
    qualityBars('chart-quality-classes', quality.defects, qualityCounts('defect').byDefect, 'defect', function (i) { return quality.descriptions[i]; });
    qualityBars('chart-quality-tables', quality.tables, qualityCounts('table').byTable, 'table', function (i) {
      return quality.feedTables.indexOf(quality.tables[i]) >= 0 ? 'feed: dated by partition' : 'snapshot: dated on the extract day';
    });
    var none = quality.issues.length ? 'Nothing for these filters.' : 'None: no defects detected.';
    fillTable('table-quarantine', [['model', 'Model'], ['reason', 'Reason'], ['rows', 'Rows', 1]], quarantineRows(), none);
    fillTable('table-rules', [['defect', 'Class'], ['table', 'Table'], ['rule', 'Rule'], ['action', 'Action'], ['issues', 'Issues', 1]], ruleRows(), none);
    return r;
  }

  function qualityBadge() {
    var all = 0, badge = document.getElementById('quality-badge');
    for (var i = 0; i < quality.issues.length; i++) all += quality.issues[i];
    badge.textContent = fmtCompact(all);
    badge.classList.toggle('clean', !all);
  }

  function qualityFilter() { return filters.defect !== null || filters.table !== null; }

  function showSheet(name) {
    if (name !== 'operations' && name !== 'quality') throw new Error('Unknown sheet ' + JSON.stringify(name) + '; sheets: operations, quality');
    sheet = name;
    ['operations', 'quality'].forEach(function (s) {
      document.getElementById('sheet-' + s).hidden = s !== name;
      document.getElementById('tab-' + s).setAttribute('aria-selected', String(s === name));
    });
    document.getElementById('filter-dimensions').hidden = name !== 'operations';
    document.getElementById('filter-quality').hidden = name !== 'quality';
    document.body.setAttribute('data-sheet', name);
    if (model) render();
    return name;
  }

  // ---------------------------------------------------------------------------------------------------
  // Controls
  function buildControls() {
    var from = document.getElementById('filter-from'), to = document.getElementById('filter-to');
    model.months.forEach(function (m, i) {
      from.appendChild(new Option(monthLabel(i), String(i)));
      to.appendChild(new Option(monthLabel(i), String(i)));
    });
    from.addEventListener('change', function () {
      var a = Number(from.value);
      setRange(a, Math.max(a, filters.to));
    });
    to.addEventListener('change', function () {
      var b = Number(to.value);
      setRange(Math.min(filters.from, b), b);
    });
    var slot = document.getElementById('filter-dimensions');
    model.dimensions.forEach(function (d) {
      var label = document.createElement('label'), select = document.createElement('select');
      label.textContent = d.label + ' ';
      select.id = 'filter-' + d.key;
      select.name = d.key;
      select.appendChild(new Option('All', ''));
      d.labels.forEach(function (text, i) { select.appendChild(new Option(text, String(i))); });
      select.addEventListener('change', function () {
        var f = {};
        f[d.key] = select.value === '' ? null : Number(select.value);
        applyFilters(f);
      });
      label.appendChild(select);
      slot.appendChild(label);
    });
    var qualitySlot = document.getElementById('filter-quality');
    [['defect', 'Defect class', quality.defects], ['table', 'Table', quality.tables]].forEach(function (spec) {
      var label = document.createElement('label'), select = document.createElement('select');
      label.textContent = spec[1] + ' ';
      select.id = 'filter-' + spec[0];
      select.name = spec[0];
      select.appendChild(new Option('All', ''));
      spec[2].forEach(function (text, i) { select.appendChild(new Option(text, String(i))); });
      select.addEventListener('change', function () {
        var f = {};
        f[spec[0]] = select.value === '' ? null : Number(select.value);
        applyFilters(f);
      });
      label.appendChild(select);
      qualitySlot.appendChild(label);
    });
    ['operations', 'quality'].forEach(function (name) {
      document.getElementById('tab-' + name).addEventListener('click', function () { showSheet(name); });
    });
    document.getElementById('clear-filters').addEventListener('click', function () { clearFilters(); });
    buildCensusView();
  }

  function buildCensusView() {
    var select = document.getElementById('census-view');
    censusNote = document.getElementById('census-note').textContent;
    select.appendChild(new Option('The whole system', ''));
    model.census.views.forEach(function (view, v) {
      if (!view.options.length) return;
      var group = document.createElement('optgroup');
      group.label = view.label;
      view.options.forEach(function (option, o) { group.appendChild(new Option(option.label, v + ':' + o)); });
      select.appendChild(group);
    });
    select.addEventListener('change', function () {
      censusView = select.value === '' ? null : select.value.split(':').map(Number);
      select.classList.toggle('active', censusView !== null);
      render();
    });
  }

  function setCensusView(view, label) {
    requireModel();
    var select = document.getElementById('census-view');
    if (view === null || view === undefined || view === '') {
      censusView = null;
    } else {
      var v = model.census.views.map(function (x) { return x.key; }).indexOf(String(view));
      if (v < 0) throw new Error('Unknown census view ' + JSON.stringify(view) + '; views: ' + model.census.views.map(function (x) { return x.key; }).join(', '));
      var labels = model.census.views[v].options.map(function (o) { return o.label; }), o = labels.indexOf(String(label));
      if (o < 0) throw new Error('Unknown ' + view + ' ' + JSON.stringify(label) + '; values: ' + labels.join(', '));
      censusView = [v, o];
    }
    select.value = censusView === null ? '' : censusView.join(':');
    select.classList.toggle('active', censusView !== null);
    render();
    return censusShown();
  }

  function censusShown() {
    var shown = censusSeries();
    return { label: shown.label, values: Array.from(shown.values), beds: shown.beds ? Array.from(shown.beds) : null };
  }

  function syncControls() {
    var from = document.getElementById('filter-from'), to = document.getElementById('filter-to');
    from.value = String(filters.from);
    to.value = String(filters.to);
    from.classList.toggle('active', !fullRange());
    to.classList.toggle('active', !fullRange());
    model.dimensions.forEach(function (d) {
      var select = document.getElementById('filter-' + d.key);
      select.value = filters[d.key] === null ? '' : String(filters[d.key]);
      select.classList.toggle('active', filters[d.key] !== null);
    });
    ['defect', 'table'].forEach(function (key) {
      var select = document.getElementById('filter-' + key);
      select.value = filters[key] === null ? '' : String(filters[key]);
      select.classList.toggle('active', filters[key] !== null);
    });
    document.getElementById('clear-filters').disabled = !anyFilter() && !qualityFilter();
  }

  function anyFilter() {
    return !fullRange() || model.dimensions.some(function (d) { return filters[d.key] !== null; });
  }

  function statusText(k) {
    var all = totals(new Uint8Array(model.size).fill(1)).admissions;
    var chosen = model.dimensions.filter(function (d) { return filters[d.key] !== null; })
      .map(function (d) { return d.labels[filters[d.key]]; });
    var parts = [rangeLabel()].concat(chosen);
    return anyFilter()
      ? 'Showing ' + fmtInt(k.admissions) + ' of ' + fmtInt(all) + ' admissions · ' + parts.join(' · ')
      : 'All ' + fmtInt(all) + ' admissions · ' + rangeLabel();
  }

  // ---------------------------------------------------------------------------------------------------
  // Rendering and state
  var current = null;

  function render() {
    var k = computeKpis();
    current = k;
    if (sheet === 'quality') {
      var q = renderQuality();
      syncControls();
      var chosen = [rangeLabel()];
      if (filters.defect !== null) chosen.push(quality.defects[filters.defect]);
      if (filters.table !== null) chosen.push(quality.tables[filters.table]);
      document.getElementById('status').textContent = fmtInt(q.issues) + ' data-quality issues · ' + chosen.join(' · ');
      document.body.setAttribute('data-state', 'ready');
      return;
    }
    renderTiles(k);
    var exceptDate = byMonth(mask('date'));
    admissionsChart(exceptDate);
    stayChart(exceptDate);
    censusChart(exceptDate);
    var all = mask(null);
    weekdayChart(all);
    diagnosesChart(all);
    losChart(all, k.median_length_of_stay_days);
    dimensionChart('chart-categories', 'diagnosis_category', { labelWidth: 170, rowHeight: 21, top: 15 });
    dimensionChart('chart-age', 'age_group', { vertical: true, height: 214 });
    dimensionChart('chart-gender', 'gender', { vertical: true, height: 214 });
    dimensionChart('chart-type', 'admission_type', { vertical: true, height: 214 });
    model.dimensions.forEach(function (d) {
      if (document.getElementById('chart-dim-' + d.key)) dimensionChart('chart-dim-' + d.key, d.key, { labelWidth: 200, rowHeight: 22 });
    });
    syncControls();
    document.getElementById('status').textContent = statusText(k);
    document.body.setAttribute('data-state', 'ready');
  }

  function setRange(a, b) {
    filters.from = a;
    filters.to = b;
    render();
  }

  function applyFilters(partial) {
    Object.keys(partial).forEach(function (key) { filters[key] = partial[key]; });
    render();
  }

  // ---------------------------------------------------------------------------------------------------
  // Automation hook: window.hospitalDashboard
  function requireModel() {
    if (!model) throw new Error('The dashboard is still loading: await hospitalDashboard.ready first.');
  }

  function monthIndex(value, name) {
    var month = String(value).slice(0, 7), i = model.months.indexOf(month);
    if (i < 0) throw new Error(name + ' must be a month between ' + model.months[0] + ' and ' + model.months[model.months.length - 1] + ' (YYYY-MM), got ' + JSON.stringify(value));
    return i;
  }

  function setFilters(spec) {
    requireModel();
    var next = Object.assign({}, filters);
    Object.keys(spec || {}).forEach(function (key) {
      var value = spec[key];
      if (key === 'from' || key === 'to') {
        next[key] = value === null ? (key === 'from' ? 0 : model.months.length - 1) : monthIndex(value, key);
        return;
      }
      if (key === 'defect' || key === 'table') { // the data-quality sheet's filters
        var names = key === 'defect' ? quality.defects : quality.tables;
        if (value === null || value === '' || value === undefined) { next[key] = null; return; }
        var found = names.indexOf(String(value));
        if (found < 0) throw new Error('Unknown ' + key + ' ' + JSON.stringify(value) + '; values: ' + names.join(', '));
        next[key] = found;
        return;
      }
      var dim = model.dimension[key];
      if (!dim) throw new Error('Unknown filter ' + JSON.stringify(key) + '; filters: from, to, ' + model.dimensions.map(function (d) { return d.key; }).join(', ') + ', defect, table');
      if (value === null || value === '' || value === undefined) { next[key] = null; return; }
      var i = dim.values.indexOf(String(value));
      if (i < 0) i = dim.labels.indexOf(String(value));
      if (i < 0) throw new Error('Unknown ' + key + ' ' + JSON.stringify(value) + '; values: ' + dim.values.join(', '));
      next[key] = i;
    });
    if (next.from > next.to) throw new Error('from (' + model.months[next.from] + ') is after to (' + model.months[next.to] + ')');
    filters = next;
    render();
    return getFilters();
  }

  function clearFilters() {
    requireModel();
    filters = emptyFilters();
    render();
    return getFilters();
  }

  function getFilters() {
    requireModel();
    var out = { from: model.months[filters.from], to: model.months[filters.to] };
    model.dimensions.forEach(function (d) { out[d.key] = filters[d.key] === null ? null : d.values[filters[d.key]]; });
    out.defect = filters.defect === null ? null : quality.defects[filters.defect];
    out.table = filters.table === null ? null : quality.tables[filters.table];
    return out;
  }

  window.hospitalDashboard = {
    ready: ready,
    setFilters: setFilters,
    clearFilters: clearFilters,
    filters: getFilters,
    kpis: function () { requireModel(); return Object.assign({}, current); },
    showSheet: function (name) { requireModel(); return showSheet(name); },
    sheet: function () { return sheet; },
    quality: function () { requireModel(); return qualityResult(); },
    setCensusView: setCensusView, // ('hospital' | 'unit', its label), or null: the whole system
    census: function () { requireModel(); return censusShown(); }
  };

  // ---------------------------------------------------------------------------------------------------
  function start() {
    decode().then(function (raw) {
      model = prepare(raw);
      quality = prepareQuality(raw);
      filters = emptyFilters();
      buildControls();
      qualityBadge();
      if (window.location.hash === '#data-quality') showSheet('quality');
      extraDimensionCards();
      render();
      var timer = null;
      window.addEventListener('resize', function () {
        clearTimeout(timer);
        timer = setTimeout(render, 120);
      });
      resolveReady(window.hospitalDashboard);
    }).catch(function (error) {
      document.getElementById('status').textContent = error.message;
      document.body.setAttribute('data-state', 'failed');
      rejectReady(error);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
