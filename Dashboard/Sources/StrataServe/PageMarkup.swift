/// The HTML bodies of the dashboard's pages; their scripts fill them. Ids and classes here are what the
/// scripts and the browser tests find elements by (`#runs-table tbody tr`, `svg .curve`).
enum PageMarkup {
    /// The runs page: filter, actions, the table and the parallel coordinates.
    static let runs = #"""
    <section class="toolbar">
      <form id="filter-form" class="filter">
        <input id="filter" name="where" type="text" spellcheck="false" autocomplete="off"
               placeholder="filter: params.learning_rate < 0.01 and metrics.val_accuracy > 0.9">
        <button type="submit" id="filter-apply">Filter</button>
      </form>
      <label>Show <select id="archived-view">
        <option value="0">active runs</option><option value="1">archived runs</option><option value="all">all runs</option>
      </select></label>
      <label>Columns <input id="columns" type="text" spellcheck="false" placeholder="params.NAME, metrics.NAME"></label>
    </section>
    <p id="error" class="error" role="alert" hidden></p>
    <section class="actions">
      <span id="selection-count">0 selected</span>
      <button id="compare-button" disabled>Compare</button>
      <button id="archive-button" disabled>Archive</button>
      <button id="unarchive-button" disabled>Unarchive</button>
      <span id="runs-count" class="muted"></span>
    </section>
    <div class="table-wrap">
      <table id="runs-table">
        <thead><tr></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <section class="panel">
      <h2>Parallel coordinates</h2>
      <p class="muted">Drag along an axis to keep only the runs inside the range (the table follows); click an axis to clear it.</p>
      <label>Metric <select id="pc-metric"></select></label>
      <svg id="parallel" class="parallel" height="320" role="img" aria-label="parallel coordinates"></svg>
    </section>
    """#

    /// The compare page (`?ids=1,2&metric=loss`, optionally `&max_points=N`, `&raw=1`): chart controls, the chart and its legend.
    static let compare = #"""
    <section class="toolbar">
      <label>Metric <select id="metric"></select></label>
      <label>x <select id="x-axis"><option value="step">step</option><option value="epoch">epoch</option>
        <option value="wall">wall time (s)</option></select></label>
      <label>Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0">
        <output id="smoothing-value">0.00</output></label>
      <label><input id="log-scale" type="checkbox"> log scale</label>
      <button id="load-raw" hidden>Load raw series</button>
    </section>
    <p id="error" class="error" role="alert" hidden></p>
    <p id="downsampled-note" class="downsampled-mark" hidden></p>
    <svg id="chart" class="chart" height="460" role="img" aria-label="curves of the chosen runs"></svg>
    <ul id="legend" class="legend"></ul>
    """#

    /// The run page: its record, parameters, metrics, curves, images and report.
    static let run = #"""
    <h1 id="run-title">Run</h1>
    <p id="error" class="error" role="alert" hidden></p>
    <dl id="run-info" class="info"></dl>
    <p><a id="report-link" hidden>Open report.html</a></p>
    <div class="columns">
      <section class="panel"><h2>Parameters</h2><table id="params-table"><tbody></tbody></table></section>
      <section class="panel"><h2>Metrics</h2>
        <table id="metrics-table"><thead><tr><th>metric</th><th>latest</th><th>step</th><th>best</th><th>best step</th></tr></thead>
        <tbody></tbody></table></section>
    </div>
    <section class="panel"><h2>Curves</h2><div id="charts" class="charts"></div></section>
    <section class="panel"><h2>Images</h2><div id="images" class="images"></div></section>
    """#
}
