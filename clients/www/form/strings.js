// strings.js — the web form's interface in Finnish, Swedish and English:
// each key's text per language, looked up through translator() of
// /assets/i18n.js. The strings the form shares with the kiosk and the
// privacy notice are SURVEY_STRINGS there; the survey's own text comes
// from the server.

export const STRINGS = {
  appName: { fi: 'Palaute', sv: 'Palaute', en: 'Palaute' },
  pageTitle: { fi: '{title} – Palaute', sv: '{title} – Palaute', en: '{title} – Palaute' },
  loading: { fi: 'Ladataan kyselyä…', sv: 'Enkäten laddas…', en: 'Loading the survey…' },
  start: { fi: 'Aloita kysely', sv: 'Börja enkäten', en: 'Start the survey' },
  submit: { fi: 'Lähetä vastaukset', sv: 'Skicka svaren', en: 'Send your answers' },
  sending: { fi: 'Lähetetään…', sv: 'Skickas…', en: 'Sending…' },
  back: { fi: 'Takaisin tietosuojaan', sv: 'Tillbaka till dataskyddet', en: 'Back to the privacy notice' },
  invitation: { fi: 'Kutsukoodi', sv: 'Inbjudningskod', en: 'Invitation code' },
  invitationHelp: {
    fi: 'Koodi on saamassasi kutsussa. Sitä ei yhdistetä vastauksiisi.',
    sv: 'Koden finns i inbjudan du fick. Den kopplas inte till dina svar.',
    en: 'The code is on the invitation you received. It is never linked to your answers.',
  },
  thanksTitle: { fi: 'Kiitos vastauksistasi!', sv: 'Tack för dina svar!', en: 'Thank you for your answers!' },
  thanksText: {
    fi: 'Vastauksesi on tallennettu. Voit nyt sulkea tämän sivun.',
    sv: 'Dina svar har sparats. Du kan nu stänga den här sidan.',
    en: 'Your answers have been saved. You can now close this page.',
  },
  errorsTitle: { fi: 'Tarkista seuraavat kohdat:', sv: 'Kontrollera följande:', en: 'Please check the following:' },
  errRequired: { fi: 'Vastaa tähän kysymykseen.', sv: 'Svara på den här frågan.', en: 'Please answer this question.' },
  errMulti: { fi: 'Valitse enintään {n} vaihtoehtoa.', sv: 'Välj högst {n} alternativ.', en: 'Choose at most {n} options.' },
  errLong: {
    fi: 'Vastaus on liian pitkä: enintään {n} merkkiä.',
    sv: 'Svaret är för långt: högst {n} tecken.',
    en: 'The answer is too long: at most {n} characters.',
  },
  errCheck: { fi: 'Tarkista tämä vastaus.', sv: 'Kontrollera det här svaret.', en: 'Please check this answer.' },
  errNothing: {
    fi: 'Vastaa vähintään yhteen kysymykseen ennen lähettämistä.',
    sv: 'Svara på minst en fråga innan du skickar.',
    en: 'Answer at least one question before sending.',
  },
  errInvitationMissing: { fi: 'Syötä kutsukoodi.', sv: 'Ange inbjudningskoden.', en: 'Enter your invitation code.' },
  errInvitationBad: {
    fi: 'Kutsukoodi ei kelpaa tähän kyselyyn. Tarkista koodi kutsustasi.',
    sv: 'Inbjudningskoden gäller inte den här enkäten. Kontrollera koden i inbjudan.',
    en: 'That invitation code is not valid for this survey. Check the code on your invitation.',
  },
  errInvitationUsed: {
    fi: 'Tällä kutsukoodilla on jo vastattu. Jokainen koodi toimii vain kerran. Jos et ole itse vastannut, ota yhteyttä: {contact}.',
    sv: 'Den här inbjudningskoden har redan använts. Varje kod fungerar bara en gång. Om du inte själv har svarat, kontakta: {contact}.',
    en: 'This invitation code has already been used. Each code works only once. If you have not answered yourself, contact: {contact}.',
  },
  errGone: {
    fi: 'Tämä kysely on suljettu, eikä siihen voi enää vastata.',
    sv: 'Enkäten har stängts och kan inte längre besvaras.',
    en: 'This survey has closed and no longer takes answers.',
  },
  errNotFound: {
    fi: 'Kyselyä ei löytynyt. Linkki voi olla vanhentunut tai väärin kirjoitettu.',
    sv: 'Enkäten hittades inte. Länken kan vara föråldrad eller felstavad.',
    en: 'The survey was not found. The link may be out of date or mistyped.',
  },
  errBusy: {
    fi: 'Vastauksia lähetetään juuri nyt paljon. Odota {n} sekuntia ja lähetä uudelleen – vastauksesi ovat yhä tallessa tällä sivulla.',
    sv: 'Just nu skickas många svar. Vänta {n} sekunder och skicka igen – dina svar finns kvar på sidan.',
    en: 'Many answers are arriving right now. Wait {n} seconds and send again – your answers are still on this page.',
  },
  errTooLarge: {
    fi: 'Vastauksesi on liian pitkä lähetettäväksi. Lyhennä tekstivastauksia.',
    sv: 'Dina svar är för långa att skicka. Korta ner textsvaren.',
    en: 'Your answers are too long to send. Please shorten the written answers.',
  },
  errServer: {
    fi: 'Vastauksia ei voitu tallentaa palvelimen häiriön vuoksi. Ne ovat yhä tällä sivulla: yritä hetken kuluttua uudelleen.',
    sv: 'Svaren kunde inte sparas på grund av ett serverfel. De finns kvar på sidan: försök igen om en stund.',
    en: 'Your answers could not be saved because of a server problem. They are still on this page: try again in a moment.',
  },
  errNetwork: {
    fi: 'Yhteys palvelimeen ei toiminut. Vastauksesi ovat yhä tällä sivulla: tarkista verkkoyhteys ja lähetä uudelleen.',
    sv: 'Ingen kontakt med servern. Dina svar finns kvar på sidan: kontrollera nätverket och skicka igen.',
    en: 'Could not reach the server. Your answers are still on this page: check your connection and send again.',
  },
  errLoad: {
    fi: 'Kyselyä ei voitu ladata. Yritä hetken kuluttua uudelleen.',
    sv: 'Enkäten kunde inte laddas. Försök igen om en stund.',
    en: 'The survey could not be loaded. Please try again in a moment.',
  },
  retry: { fi: 'Yritä uudelleen', sv: 'Försök igen', en: 'Try again' },
  unit: { fi: 'Palvelu', sv: 'Tjänst', en: 'Service' },
};
