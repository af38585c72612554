// @ts-check
// The example host page (/embed/example): what a partner writes, with a log
// of what the map says. Same origin as the map here; another site needs its
// origin in `atlas serve --embed-origins`.
(function () {
  'use strict';
  var iframe = /** @type {HTMLIFrameElement} */ (document.getElementById('carte'));
  var journal = /** @type {HTMLElement} */ (document.getElementById('journal'));
  // @ts-ignore: the host library's global
  var carte = window.AtlasEmbed.connect(iframe, { autoResize: true });

  function log(text) {
    var li = document.createElement('li');
    li.textContent = new Date().toLocaleTimeString('fr-FR') + ' · ' + text;
    journal.prepend(li);
  }
  function territory(t) {
    return t ? t.name + ' (' + t.code + ') : ' + t.valueText : 'hors des territoires de la carte';
  }

  carte.ready.then(
    function (m) {
      log('prête : ' + m.view.indicator + ', niveau ' + m.view.level + ', période ' + m.view.period);
    },
    function (err) {
      log('erreur : ' + err.message);
    },
  );
  carte.on('click', function (e) {
    log('clic : ' + territory(e.territory));
  });
  carte.on('hover', function (e) {
    if (e.territory) log('survol : ' + territory(e.territory));
  });
  carte.on('view', function (e) {
    log('vue changée (' + e.source + ') : zoom ' + e.view.camera.z.toFixed(1) + (e.view.selection ? ', sélection ' + e.view.selection : ''));
  });
  carte.on('resize', function (e) {
    log('hauteur demandée : ' + e.height + ' px');
  });
  carte.on('error', function (e) {
    log('erreur : ' + e.error.message);
  });

  function send(view, what) {
    carte.setView(view).then(
      function (v) {
        log(what + ' : fait (niveau ' + v.level + ')');
      },
      function (err) {
        log(what + ' : refusé, ' + err.message);
      },
    );
  }
  function on(id, f) {
    var el = document.getElementById(id);
    if (el) el.addEventListener('click', f);
  }
  on('vue-regions', function () {
    send({ level: 'region' }, 'niveau régional');
  });
  on('vue-departements', function () {
    send({ level: 'departement' }, 'niveau départemental');
  });
  on('vue-occitanie', function () {
    send({ bounds: [-0.33, 42.33, 4.85, 45.05] }, 'cadrage sur l’Occitanie');
  });
  on('vue-lire', function () {
    carte.getView().then(function (v) {
      log('vue : ' + JSON.stringify(v));
    });
  });

  var code = document.getElementById('code');
  if (code) {
    var base = location.origin;
    code.textContent =
      '<iframe id="carte" src="' + base + '/embed?i=demo-at-frequence&l=departement" title="Carte" style="width:100%;height:480px;border:0" allow="fullscreen"></iframe>\n' +
      '<script src="' + base + '/atlas-embed.js"></script>\n' +
      '<script>\n' +
      "  const carte = AtlasEmbed.connect(document.getElementById('carte'), { autoResize: true });\n" +
      "  carte.on('click', (e) => console.log(e.territory));\n" +
      "  carte.ready.then(() => carte.setView({ level: 'region' }));\n" +
      '</script>';
  }
})();
