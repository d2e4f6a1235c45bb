// The counter kiosk: the day's returns keep coming, so reload after a minute without a tap
// (the kiosk is the one public page that uses JavaScript).
(() => {
  let idle;
  const reset = () => { clearTimeout(idle); idle = setTimeout(() => location.reload(), 60000); };
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, reset));
  reset();
})();
