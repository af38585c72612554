// @ts-check
/**
 * Atlas Santé-Travail : bibliothèque hôte des cartes intégrées (API postMessage, version 1).
 *
 * À charger depuis le serveur Atlas, sur la page qui contient l'iframe :
 *
 *   <iframe id="carte" src="https://atlas.example.fr/embed?i=demo-at-frequence&l=departement"
 *           title="Taux de chômage" style="width:100%;height:480px;border:0" allow="fullscreen"></iframe>
 *   <script src="https://atlas.example.fr/atlas-embed.js"></script>
 *   <script>
 *     const carte = AtlasEmbed.connect(document.getElementById('carte'), { autoResize: true });
 *     carte.on('click', (e) => console.log(e.territory));   // { code, name, valueText, … } ou null
 *     carte.ready.then(() => carte.setView({ level: 'region' }));
 *   </script>
 *
 * L'origine de la carte est celle de l'attribut src de l'iframe : les messages ne partent que vers
 * elle (targetOrigin exact) et seuls ceux de cette iframe et de cette origine sont lus. Le serveur
 * Atlas doit autoriser l'origine de la page hôte (atlas serve --embed-origins), sans quoi le
 * navigateur refuse d'afficher la carte dans l'iframe et la carte ignore ses messages.
 *
 * Méthodes (chacune rend une promesse) : setView(vue) → vue affichée, getView() → vue.
 * Une vue : { indicator, level, period, sex, sector, method, classes, palette, region, selection,
 *             camera: { lon, lat, z }, bounds: [ouest, sud, est, nord] } ; setView en accepte une partie.
 * Événements (on(nom, fonction), rend une fonction qui désabonne) :
 *   ready  { view, height }          la carte est dessinée
 *   click  { territory }             un territoire cliqué (null : hors des territoires de la carte)
 *   hover  { territory }             le territoire survolé a changé (null : aucun)
 *   view   { view, source }          la personne a déplacé la carte ou choisi un territoire
 *   resize { height, width }         la hauteur que le contenu demande à cette largeur
 *   error  { error }                 une erreur sans requête (chargement)
 * Un territoire : { level, code, name, status, value, valueText, unit, classLabel } ; value est null
 * pour une valeur soumise au secret statistique ou manquante, jamais le chiffre.
 *
 * Avec un iframe sandbox, gardez allow-scripts et allow-same-origin : sans ce dernier, la carte
 * a une origine opaque et ses requêtes de tuiles sont refusées.
 */
(function (global) {
  'use strict';

  var VERSION = 1;
  var HELLO_EVERY_MS = 250;
  var READY_TIMEOUT_MS = 20000;
  var REQUEST_TIMEOUT_MS = 30000;

  /**
   * Connects to an Atlas map in an iframe.
   * @param {HTMLIFrameElement} iframe the iframe whose src is an /embed URL
   * @param {{ autoResize?: boolean, origin?: string }} [options] autoResize: follow atlas:resize;
   *   origin: the map's origin when the src does not say it (about:blank, set later)
   */
  function connect(iframe, options) {
    var opts = options || {};
    var origin = opts.origin || new URL(iframe.src, location.href).origin;
    var listeners = {};
    var pending = {};
    var counter = 0;
    var readyDone = false;
    var resolveReady;
    var rejectReady;
    var ready = new Promise(function (res, rej) {
      resolveReady = res;
      rejectReady = rej;
    });

    function emit(name, payload) {
      (listeners[name] || []).slice().forEach(function (cb) {
        try {
          cb(payload);
        } catch (err) {
          setTimeout(function () {
            throw err;
          });
        }
      });
    }

    function post(msg) {
      if (!iframe.contentWindow) return;
      msg.version = VERSION;
      iframe.contentWindow.postMessage(msg, origin);
    }

    function request(type, extra) {
      var id = 'h' + ++counter;
      var msg = Object.assign({ type: type, id: id }, extra || {});
      return new Promise(function (res, rej) {
        var timer = setTimeout(function () {
          delete pending[id];
          rej(new Error('la carte n’a pas répondu à ' + type));
        }, REQUEST_TIMEOUT_MS);
        pending[id] = { resolve: res, reject: rej, timer: timer };
        post(msg);
      });
    }

    function onMessage(e) {
      // The map's frame and origin only, compared exactly.
      if (e.source !== iframe.contentWindow || e.origin !== origin) return;
      var m = e.data;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string' || m.type.indexOf('atlas:') !== 0 || m.version !== VERSION) return;
      var name = m.type.slice('atlas:'.length);
      if (m.replyTo && pending[m.replyTo]) {
        var p = pending[m.replyTo];
        delete pending[m.replyTo];
        clearTimeout(p.timer);
        if (name === 'error') {
          var err = new Error(m.error && m.error.message);
          err.code = m.error && m.error.code;
          err.field = m.error && m.error.field;
          p.reject(err);
        } else p.resolve(m.view || m);
      }
      if (name === 'ready') {
        if (!readyDone) {
          readyDone = true;
          resolveReady(m);
          emit('ready', m);
        }
        if (opts.autoResize && m.height) iframe.style.height = m.height + 'px';
        return;
      }
      if (name === 'resize' && opts.autoResize && m.height) iframe.style.height = m.height + 'px';
      if (m.replyTo) return; // a reply, delivered above
      emit(name, m);
    }
    global.addEventListener('message', onMessage);

    // The map announces itself when the browser tells it this page's
    // origin; otherwise (or if this script came late) it answers hello.
    var started = Date.now();
    var hello = setInterval(function () {
      if (readyDone) return clearInterval(hello);
      if (Date.now() - started > READY_TIMEOUT_MS) {
        clearInterval(hello);
        rejectReady(new Error('la carte ne s’est pas annoncée : son serveur autorise-t-il l’origine ' + location.origin + ' ?'));
        return;
      }
      post({ type: 'atlas:hello', id: 'hello' });
    }, HELLO_EVERY_MS);

    return {
      /** Resolves with { view, height } once the map is drawn. */
      ready: ready,
      /** @param {object} view the fields to change */
      setView: function (view) {
        return ready.then(function () {
          return request('atlas:set-view', { view: view });
        });
      },
      getView: function () {
        return ready.then(function () {
          return request('atlas:get-view');
        });
      },
      /** @param {string} name @param {(e: any) => void} cb */
      on: function (name, cb) {
        (listeners[name] = listeners[name] || []).push(cb);
        return function () {
          listeners[name] = (listeners[name] || []).filter(function (f) {
            return f !== cb;
          });
        };
      },
      /** Stops listening and forgets pending requests. */
      disconnect: function () {
        clearInterval(hello);
        global.removeEventListener('message', onMessage);
        Object.keys(pending).forEach(function (id) {
          clearTimeout(pending[id].timer);
          pending[id].reject(new Error('déconnecté'));
        });
        pending = {};
      },
    };
  }

  global.AtlasEmbed = { connect: connect, VERSION: VERSION };
})(window);
