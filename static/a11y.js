// The app's navigation (ui/navigation.py) as assistive technology expects it: a navigation landmark,
// and the link of the page on screen marked aria-current="page". Streamlit's st.page_link marks the
// current page in bold only. Re-applied whenever Streamlit redraws (page switches do not reload).
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  if (win.__midwayNav) return;
  win.__midwayNav = true;
  function mark() {
    const nav = doc.querySelector(".st-key-midway_nav");
    if (!nav) return;
    if (nav.getAttribute("role") !== "navigation") {
      nav.setAttribute("role", "navigation");
      nav.setAttribute("aria-label", "Pages");
    }
    // st.page_link's href is the page's url path relative to the app ("" for the default page)
    const last = function (p) { return decodeURI(p.split("?")[0].replace(/\/+$/, "").split("/").pop() || ""); };
    const here = last(win.location.pathname);
    nav.querySelectorAll('a[data-testid="stPageLink-NavLink"]').forEach(function (a) {
      const current = last(a.getAttribute("href") || "") === here;
      if (current && a.getAttribute("aria-current") !== "page") a.setAttribute("aria-current", "page");
      if (!current && a.hasAttribute("aria-current")) a.removeAttribute("aria-current");
    });
  }
  // the sidebar only: the charts in the main block mutate the page far more often
  const root = doc.querySelector('[data-testid="stSidebar"]') || doc.body;
  new win.MutationObserver(mark).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["href", "class"] });
  win.addEventListener("popstate", mark);
  mark();
})();
