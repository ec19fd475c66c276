// ECharts (from the WebJar, loaded as a deferred classic script) with safe defaults. Tooltips render as
// rich text, not HTML, so event names and property values in series never become markup.

const PALETTE = ['#4f5bd5', '#1f9d6b', '#e07a2f', '#c2417a', '#2b9bc8', '#8a5cd1', '#a3a91c', '#d64545'];

// The library is a deferred script after the app's modules (index.html): a page that draws before
// it has run (its first download) gets a handle that draws once it has, instead of no chart.
const library = new Promise((resolve) => {
  const settle = () => resolve(window.echarts);
  // 'complete': every deferred script has run (or failed) already, and the events are past
  if (window.echarts || document.readyState === 'complete') {
    settle();
    return;
  }
  const script = document.getElementById('echarts-script');
  if (script) {
    script.addEventListener('load', settle);
    script.addEventListener('error', settle);
  }
  window.addEventListener('load', settle);
});

export function hasCharts() {
  return typeof window.echarts !== 'undefined';
}

export function chart(el, option) {
  if (!hasCharts()) {
    let instance = null;
    let disposed = false;
    library.then((echarts) => {
      if (disposed) return;
      if (echarts) instance = chart(el, option);
      else el.textContent = 'Charts are unavailable (the chart library did not load).';
    });
    return {dispose() { disposed = true; if (instance) instance.dispose(); }};   // what the pages call on a chart
  }
  const instance = window.echarts.init(el, null, {renderer: 'canvas'});
  instance.setOption(Object.assign({
    color: PALETTE,
    animationDuration: 300,
    grid: {left: 48, right: 16, top: 36, bottom: 36, containLabel: true},
    tooltip: {trigger: 'axis', renderMode: 'richText'},
    textStyle: {fontFamily: 'inherit'},
  }, option, {tooltip: Object.assign({trigger: 'axis'}, option.tooltip || {}, {renderMode: 'richText'})}));
  const resize = () => instance.resize();
  window.addEventListener('resize', resize);
  const dispose = instance.dispose.bind(instance);
  instance.dispose = () => { window.removeEventListener('resize', resize); dispose(); };
  return instance;
}
