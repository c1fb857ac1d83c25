"""The storefront's files as nginx serves them: every module preloaded, every page path answered.

The browser tests drive the pages; these check the wiring around them that a
new view can silently break (a module left out of index.html's preload list
turns the first render back into a chain of requests).
"""
import os
import re
import unittest

from shop import ROOT, get


def modules():
    """Every JavaScript module of the storefront, as a path under /."""
    public = os.path.join(ROOT, "public")
    found = []
    for folder, _, files in os.walk(os.path.join(public, "js")):
        found += ["/" + os.path.relpath(os.path.join(folder, name), public) for name in files if name.endswith(".js")]
    return sorted(found)


class StorefrontFilesTest(unittest.TestCase):
    def test_index_preloads_every_module_and_each_is_served(self):
        index = get("/")
        self.assertEqual(index.status, 200)
        preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', index.body.decode()))
        for module in modules():
            if module == "/js/app.js":
                continue  # the entry point, loaded by its own script tag
            self.assertIn(module, preloaded, f"{module} is not preloaded in index.html")
        for module in modules():
            answer = get(module)
            self.assertEqual(answer.status, 200, module)
            self.assertIn("javascript", answer.header("Content-Type") or "", module)
        self.assertLessEqual(preloaded, set(modules()), "a preload names a module that does not exist")


if __name__ == "__main__":
    unittest.main()
