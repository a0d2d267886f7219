/// The runs page: the table (`#runs-table tbody tr[data-run-id]`), click-to-sort headers, the `--where` filter
/// (its 400 message in `#error`), selection, archive/unarchive, compare, and the parallel coordinates.
enum RunsScript {
    /// The JavaScript.
    static let text = #"""
    (() => {
      const query = new URLSearchParams(location.search);
      const state = {runs: [], selected: new Set(), brushed: null, sort: query.get('sort') || '',
                     where: query.get('where') || '', archived: query.get('archived') || '0', columns: null};
      const $ = (id) => document.getElementById(id);

      /** Keeps the filter, sort and view in the address, so a reload shows the same runs. */
      function remember() {
        const next = new URLSearchParams();
        if (Strata.token) next.set('token', Strata.token);
        if (state.where) next.set('where', state.where);
        if (state.sort) next.set('sort', state.sort);
        if (state.archived !== '0') next.set('archived', state.archived);
        history.replaceState(null, '', next.toString() ? '?' + next : location.pathname);
      }

      /** Fetches the runs; redraws the parallel coordinates (clearing their brushes) only when the runs listed change. */
      async function load() {
        try {
          const body = await Strata.api('/api/runs?' + Strata.query({archived: state.archived, where: state.where, sort: state.sort}));
          Strata.showError('');
          const key = (runs) => runs.map((r) => r.id).sort().join(',');
          const before = key(state.runs);
          state.runs = body.runs;
          const ids = new Set(body.runs.map((r) => r.id));
          state.selected = new Set([...state.selected].filter((id) => ids.has(id)));
          $('runs-count').textContent = `${body.runs.length} of ${body.total} runs`;
          if (!state.columns) state.columns = defaultColumns(body.runs);
          render();
          if (before !== key(body.runs) || !$('parallel').firstChild) drawParallel();
        } catch (error) {
          Strata.showError(error.message);
        }
      }

      /** Parameters whose values differ between the runs (up to 6), then test, validation and training quality metrics (up to 5), as `strata runs list`. */
      function defaultColumns(runs) {
        const paramNames = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
        const differing = paramNames.filter((name) => new Set(runs.map((r) => JSON.stringify(r.params[name]))).size > 1);
        const quality = /acc|rank1|auroc|auc|ndcg|tau|rho|precision|recall|f1|loss|error|mse/i;
        const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter((n) => quality.test(n));
        const rank = (n) => (n.startsWith('test_') ? 0 : n.startsWith('val_') ? 1 : 2);
        metricNames.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
        const columns = differing.slice(0, 6).map((n) => 'params.' + n).concat(metricNames.slice(0, 5).map((n) => 'metrics.' + n));
        $('columns').value = columns.join(', ');
        return columns;
      }

      function value(run, column) {
        if (column.startsWith('params.')) return run.params[column.slice(7)];
        if (column.startsWith('metrics.')) {
          const metric = run.metrics[column.slice(8)];
          return metric ? (metric.best !== null ? metric.best : metric.latest) : undefined;
        }
        if (column.startsWith('latest.')) {
          const metric = run.metrics[column.slice(7)];
          return metric ? metric.latest : undefined;
        }
        return run[column];
      }

      function header(label, key) {
        const descending = state.sort === '-' + key, ascending = state.sort === key;
        return Strata.el('th', {class: 'sortable' + (ascending ? ' sorted-asc' : descending ? ' sorted-desc' : ''), 'data-sort': key,
                                onclick: () => { state.sort = ascending ? '-' + key : descending ? '' : key; remember(); load(); }}, label);
      }

      function render() {
        const head = $('runs-table').querySelector('thead tr');
        const all = Strata.el('input', {type: 'checkbox', id: 'select-all', title: 'select all shown', onchange: (event) => {
          for (const run of visibleRuns()) event.target.checked ? state.selected.add(run.id) : state.selected.delete(run.id);
          render();
        }});
        head.replaceChildren(Strata.el('th', {}, all), header('id', 'id'), header('name', 'name'), header('experiment', 'experiment'),
                             header('status', 'status'), header('started', 'started'), Strata.el('th', {}, 'time'),
                             ...state.columns.map((c) => header(c.replace(/^(params|metrics)\./, ''), c)));
        const body = $('runs-table').querySelector('tbody');
        body.replaceChildren(...state.runs.map((run) => {
          const selected = state.selected.has(run.id);
          const box = Strata.el('input', {type: 'checkbox', class: 'select', checked: selected, 'aria-label': 'select run ' + run.id,
                                          onchange: (event) => { event.target.checked ? state.selected.add(run.id) : state.selected.delete(run.id); render(); }});
          const link = Strata.el('a', {href: Strata.withToken('/runs/' + run.id)}, run.name);
          const cells = state.columns.map((c) => {
            const v = value(run, c);
            return Strata.el('td', {class: typeof v === 'number' ? 'number' : ''}, v === undefined ? '-' : Strata.number(v));
          });
          const hidden = state.brushed && !state.brushed.has(run.id);
          return Strata.el('tr', {'data-run-id': run.id, class: (selected ? 'selected ' : '') + (hidden ? 'filtered-out' : '')},
                           Strata.el('td', {}, box), Strata.el('td', {class: 'number'}, run.id), Strata.el('td', {}, link),
                           Strata.el('td', {}, run.experiment), Strata.el('td', {}, Strata.status(run.status + (run.archived ? ' (archived)' : ''))),
                           Strata.el('td', {}, Strata.date(run.started)), Strata.el('td', {class: 'number'}, Strata.runDuration(run)), ...cells);
        }));
        all.checked = visibleRuns().length > 0 && visibleRuns().every((r) => state.selected.has(r.id));
        const count = state.selected.size;
        $('selection-count').textContent = `${count} selected`;
        $('compare-button').disabled = count < 1;
        $('archive-button').disabled = count < 1;
        $('unarchive-button').disabled = count < 1;
      }

      function visibleRuns() { return state.runs.filter((r) => !state.brushed || state.brushed.has(r.id)); }

      function drawParallel() {
        const select = $('pc-metric');
        const metrics = [...new Set(state.runs.flatMap((r) => Object.keys(r.metrics)))].sort();
        const chosen = select.value || metrics.find((m) => m.startsWith('val_')) || metrics[0];
        select.replaceChildren(...metrics.map((m) => Strata.el('option', {value: m, selected: m === chosen}, m)));
        const params = [...new Set(state.runs.flatMap((r) => Object.keys(r.params)))].sort()
          .filter((name) => new Set(state.runs.map((r) => JSON.stringify(r.params[name]))).size > 1);
        const axes = params.map((name) => ({key: 'params.' + name, label: name, value: (run) => run.params[name]}));
        if (chosen) axes.push({key: 'metrics.' + chosen, label: chosen, value: (run) => value(run, 'metrics.' + chosen)});
        StrataParallel.draw($('parallel'), state.runs, axes, (kept) => {
          state.brushed = kept;
          for (const row of document.querySelectorAll('#runs-table tbody tr')) {
            row.classList.toggle('filtered-out', kept !== null && !kept.has(Number(row.dataset.runId)));
          }
        });
      }

      async function archive(archived) {
        try {
          await Strata.api('/api/runs/archive', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                 body: JSON.stringify({ids: [...state.selected], archived})});
          state.selected.clear();
          await load();
        } catch (error) {
          Strata.showError(error.message);
        }
      }

      $('filter').value = state.where;
      $('archived-view').value = state.archived;
      $('filter-form').addEventListener('submit', (event) => {
        event.preventDefault();
        state.where = $('filter').value.trim();
        remember();
        load();
      });
      $('archived-view').addEventListener('change', (event) => { state.archived = event.target.value; remember(); load(); });
      $('columns').addEventListener('change', (event) => {
        state.columns = event.target.value.split(',').map((c) => c.trim()).filter(Boolean)
          .map((c) => (/^(params|metrics|latest)\./.test(c) ? c : 'params.' + c));
        render();
      });
      $('pc-metric').addEventListener('change', drawParallel);
      $('archive-button').addEventListener('click', () => archive(true));
      $('unarchive-button').addEventListener('click', () => archive(false));
      $('compare-button').addEventListener('click', () => {
        const metric = $('pc-metric').value;
        location.href = Strata.withToken('/compare?ids=' + [...state.selected].join(',') + (metric ? '&metric=' + encodeURIComponent(metric) : ''));
      });
      window.addEventListener('resize', drawParallel);
      load();
      setInterval(() => { if (state.runs.some((r) => r.status === 'running')) load(); }, 5000);
    })();
    """#
}
