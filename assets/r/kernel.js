// Part of k8s-spec (BSD-3-Clause).
// Classic Jupyter Notebook extension loaded for R kernels: editing shortcuts familiar from RStudio
// and typeset formulas in R help pages shown in the pager.
define(["base/js/namespace"], (Jupyter) => {
  "use strict";

  const ACTION_PREFIX = "r-kernel";
  const modKey = /Mac/.test(navigator.platform) ? "Cmd" : "Ctrl";

  function insertText(text) {
    return (editor) => editor.replaceSelection(text);
  }

  // F1: ask R for the help page of the word under the cursor.
  function showHelp(editor, cell) {
    const range = editor.findWordAt(editor.getCursor());
    const topic = editor.getRange(range.anchor, range.head);
    if (!topic.trim()) {
      return;
    }
    cell.last_msg_id = Jupyter.notebook.kernel.execute(
      "help(`" + topic.replace(/`/g, "\\`") + "`)",
      cell.get_callbacks(),
      { silent: false, store_history: false, stop_on_error: true },
    );
  }

  const shortcuts = [
    ["Alt--", "assign", "insert the assignment arrow (<-)", "fa-long-arrow-left", insertText(" <- ")],
    [`Shift-${modKey}-M`, "pipe", "insert the pipe operator (%>%)", "fa-angle-right", insertText(" %>% ")],
    ["F1", "help", "show R help for the word under the cursor", "fa-book", showHelp],
  ];

  function registerShortcut([keys, name, help, icon, run]) {
    const action = {
      help: "R: " + help,
      icon,
      help_index: "zz",
      handler: () => {
        const cell = Jupyter.notebook.get_selected_cell();
        if (cell && cell.code_mirror) {
          run(cell.code_mirror, cell);
        }
      },
    };
    const fullName = Jupyter.actions.register(action, name, ACTION_PREFIX);
    Jupyter.keyboard_manager.edit_shortcuts.add_shortcut(keys, fullName);
  }

  // R's HTML help marks formulas with <i>; display formulas sit in centred paragraphs.
  // Turn them into TeX delimiters so MathJax typesets them.
  function typesetHelp(html) {
    if (!html || typeof MathJax === "undefined") {
      return;
    }
    const container = Jupyter.pager.pager_element.find("#pager-container");
    container.find('p[style="text-align: center;"]').each((_, para) => {
      const formula = para.querySelector("i");
      if (formula) {
        para.outerHTML = "\\[" + formula.innerHTML + "\\]";
      }
    });
    container.find("i").each((_, node) => {
      node.outerHTML = "\\(" + node.innerHTML + "\\)";
    });
    MathJax.Hub.Queue(["Typeset", MathJax.Hub, container[0]]);
  }

  return {
    onload() {
      shortcuts.forEach(registerShortcut);
      Jupyter.pager.events.on("open_with_text.Pager", (_event, payload) => {
        typesetHelp(payload && payload.data && payload.data["text/html"]);
      });
    },
  };
});
