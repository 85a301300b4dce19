// Says when the first frame has been painted, through the document title.
requestAnimationFrame(() => requestAnimationFrame(() => { document.title = 'painted'; }));
