// Keeps the interactive graphs' zoom and pan across reruns, and recolours them in place.
//
// Streamlit's st.echarts_chart calls setOption(option, {notMerge: true}) whenever the option changes:
// that rebuilds the chart and resets its zoom and pan. This hook wraps setOption on each ECharts
// instance of the page. When the new option has the same nodes at the same places as the previous one
// (a time slider step, a click on a node, a renamed system), it is merged instead, so only the changed
// colours and labels are redrawn and the view stays where the user put it. When the nodes changed, the
// last zoom and pan the user chose for those same nodes, if any, are put back into the option.
(function () {
  if (window.crisisStudioGraphHook) return;
  window.crisisStudioGraphHook = true;
  const roam = (window.crisisStudioRoam = {});
  window.crisisStudioMerges = 0;

  // The ECharts instance of a chart element: React keeps it in the state of Streamlit's component.
  function chartOf(element) {
    const fiberKey = Object.keys(element).find((key) => key.startsWith("__reactFiber$"));
    let fiber = fiberKey ? element[fiberKey] : null;
    for (let depth = 0; fiber && depth < 40; depth += 1, fiber = fiber.return) {
      let hook = fiber.memoizedState;
      for (let count = 0; hook && typeof hook === "object" && count < 80; count += 1, hook = hook.next) {
        const value = hook.memoizedState;
        if (value && typeof value.setOption === "function" && typeof value.getZr === "function") return value;
      }
    }
    return null;
  }

  // Which nodes are where (ids and positions) and how many links: what a merge must not change.
  function layoutOf(option) {
    const series = option && option.series && option.series[0];
    if (!series || series.type !== "graph") return null;
    const nodes = (series.data || []).map((node) => `${node.id}@${node.x},${node.y}`).join(";");
    return `${nodes}|${(series.links || []).length}`;
  }

  function patch(element) {
    const chart = chartOf(element);
    if (!chart || chart.crisisStudioPatched) return;
    chart.crisisStudioPatched = true;
    const holder = element.closest("[class*='st-key-']");
    const key = (holder && [...holder.classList].find((name) => name.startsWith("st-key-"))) || "graph";
    let shown = null;
    try {
      shown = layoutOf(chart.getOption()); // the option Streamlit set before this hook found the chart
    } catch (error) {
      shown = null;
    }
    chart.on("graphroam", () => {
      const series = chart.getModel().getSeriesByIndex(0);
      roam[key] = { layout: shown, zoom: series.get("zoom"), center: series.get("center") };
    });
    const setOption = chart.setOption;
    chart.setOption = function (option, settings) {
      const layout = layoutOf(option);
      if (layout !== null && layout === shown && settings && settings.notMerge) {
        window.crisisStudioMerges += 1;
        return setOption.call(this, option, { ...settings, notMerge: false });
      }
      const kept = roam[key];
      if (layout !== null && kept && kept.layout === layout) {
        option.series[0].zoom = kept.zoom;
        option.series[0].center = kept.center;
      }
      shown = layout;
      return setOption.call(this, option, settings);
    };
  }

  setInterval(() => document.querySelectorAll("[_echarts_instance_]").forEach(patch), 150);
})();
